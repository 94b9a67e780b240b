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
  window.shakhesSortable = function (root) {
    root.querySelectorAll("table.sortable").forEach(function (table) {
      var heads = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(heads, function (th, i) {
        th.tabIndex = 0;
        th.addEventListener("click", function () { sort(table, i, th); });
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(table, i, th); });
      });
    });
  };
  document.addEventListener("DOMContentLoaded", function () { window.shakhesSortable(document); });
})();
// Panels that load after the page (the KPI page's slow parts): each slot [data-panel] is
// filled with the HTML fragment its URL answers; its charts' scripts are run, and a
// <template data-chart> in it replaces the page's chart of that name (the day-by-day chart,
// with the anomalies marked). A slot that fails keeps its link to the page with every panel.
(function () {
  "use strict";
  function run(root) {
    root.querySelectorAll("script").forEach(function (old) {
      var script = document.createElement("script");
      script.text = old.text;
      old.parentNode.replaceChild(script, old);
    });
  }
  function fill(slot) {
    fetch(slot.getAttribute("data-panel"), { credentials: "same-origin" })
      .then(function (answer) {
        if (!answer.ok) throw new Error(String(answer.status));
        return answer.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
        slot.querySelectorAll("template[data-chart]").forEach(function (t) {
          var chart = document.querySelector('div.chart[data-chart="' + t.getAttribute("data-chart") + '"]');
          if (chart) { chart.innerHTML = ""; chart.appendChild(t.content.cloneNode(true)); run(chart); }
          t.remove();
        });
        run(slot);
        if (window.shakhesSortable) window.shakhesSortable(slot);
        slot.removeAttribute("aria-busy");
        slot.setAttribute("data-loaded", "");
      })
      .catch(function () {
        slot.removeAttribute("aria-busy");
        slot.setAttribute("data-failed", "");
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-panel]").forEach(fill);
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
