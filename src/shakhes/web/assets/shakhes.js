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
