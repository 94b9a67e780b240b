// shakhes pages: sortable tables (click a column's head). Numbers sort by their data-value.
(function () {
  "use strict";
  function key(cell, numeric) {
    if (numeric) {
      var raw = cell.getAttribute("data-value");
      var n = raw === null || raw === "null" ? NaN : Number(raw);
      return isNaN(n) ? -Infinity : n;
    }
    return cell.textContent.trim();
  }
  function sort(table, index, th) {
    var numeric = th.getAttribute("data-type") === "number";
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index], numeric), y = key(b.cells[index], numeric);
      var c = numeric ? x - y : String(x).localeCompare(String(y), document.documentElement.lang);
      return ascending ? c : -c;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.sortable").forEach(function (table) {
      var heads = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(heads, function (th, i) {
        th.tabIndex = 0;
        th.addEventListener("click", function () { sort(table, i, th); });
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(table, i, th); });
      });
    });
  });
})();
// The language switch keeps the user's choice (PUT /api/v1/auth/locale), then opens the page
// in that language; without a session (or if the call fails) the link alone switches this page.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.lang[data-locale]");
    var main = document.getElementById("main");
    var csrf = main ? main.getAttribute("data-csrf") : "";
    if (!link || !csrf) return;
    event.preventDefault();
    var go = function () { location.href = link.href; };
    fetch("/api/v1/auth/locale", {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ locale: link.getAttribute("data-locale") })
    }).then(go, go);
  });
})();
