// shakhes editor pages: every change goes to the REST API with fetch and the session's
// X-CSRF-Token; an API error ({"error": {code, message, hint, details}}) is shown beside the
// field it is about, with its hint. See shakhes/web/editors.py.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var csrf = main.getAttribute("data-csrf");
  var base = main.getAttribute("data-api");

  function api(method, path, body) {
    var url = path.indexOf("/api/") === 0 ? path : base + path;
    // The API answers its errors in the page's language (Accept-Language).
    var init = { method: method, headers: { "X-CSRF-Token": csrf, "Accept": "application/json", "Accept-Language": document.documentElement.lang || "en" }, credentials: "same-origin" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.text().then(function (t) {
        var data = null;
        try { data = t ? JSON.parse(t) : null; } catch (e) { data = null; }
        return { ok: r.ok, status: r.status, data: data };
      });
    });
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error, .form-error").forEach(function (p) { p.textContent = ""; });
    var done = form.querySelector("[data-done]");
    if (done) done.hidden = true;
  }

  function fieldOf(detail) {
    if (detail.field) return detail.field;
    var loc = detail.location || [];
    var parts = loc.filter(function (p) { return p !== "body"; });
    return parts.join(".");
  }

  // The error beside its field (by name), else under the form; the hint once, at the top error.
  function showError(form, answer) {
    var error = (answer.data && answer.data.error) || { message: "HTTP " + answer.status };
    var placed = false;
    (error.details || []).forEach(function (d) {
      var name = fieldOf(d);
      var slot = name && form.querySelector('.field-error[data-for="' + name + '"]');
      if (!slot && name) slot = form.querySelector('.field-error[data-for="' + name.split(".")[0] + '"]');
      if (slot) {
        slot.textContent = (slot.textContent ? slot.textContent + "\n" : "") + d.message;
        placed = true;
      }
    });
    var general = form.querySelector(".form-error");
    if (general) general.textContent = (placed ? "" : error.message) + (error.hint ? (placed ? "" : " — ") + error.hint : "");
    return error;
  }

  function value(form, name) {
    var el = form.elements[name];
    return el ? el.value.trim() : "";
  }
  function list(text) {
    return text.split(",").map(function (s) { return s.trim(); }).filter(Boolean);
  }
  function number(text) {
    return text === "" ? null : Number(text);
  }
  function withLang(url) {
    var lang = new URLSearchParams(location.search).get("lang");
    return lang ? url + (url.indexOf("?") < 0 ? "?" : "&") + "lang=" + encodeURIComponent(lang) : url;
  }
  // The calendar a period is written in: a year before 1700 is Jalali (1404, 1404-Q1), a later
  // one Gregorian, so either reads in any workspace; a fiscal year (FY…) is the workspace's.
  function calendarOf(text) {
    var digits = text.replace(/[۰-۹]/g, function (d) { return String("۰۱۲۳۴۵۶۷۸۹".indexOf(d)); });
    var year = /^\s*(\d{4})/.exec(digits);
    if (!year) return undefined;
    return Number(year[1]) < 1700 ? "jalali" : "gregorian";
  }
  function done(form) {
    var ok = form.querySelector("[data-done]");
    if (ok) ok.hidden = false;
  }

  // ---- the KPI editor: live validation with the caret, a preview chart, save and delete ----
  function kpiEditor(form) {
    var area = form.elements.formula;
    var okLine = document.getElementById("formula-ok");
    var caret = document.getElementById("formula-error");
    var lead = document.getElementById("formula-bad");
    // A problem with the formula: its words (the page's language) above each issue, its own
    // words (the page's language too) above its caret lines (the formula's own, left to
    // right); null hides all.
    function problem(words, issues) {
      lead.hidden = words === null; lead.textContent = words || "";
      caret.innerHTML = "";
      (issues || []).forEach(function (issue) {
        var said = document.createElement("p"); said.className = "field-error issue-words"; said.setAttribute("dir", "auto");
        said.textContent = issue.words;
        var lines = document.createElement("pre"); lines.className = "caret";
        lines.textContent = issue.caret;
        caret.appendChild(said); caret.appendChild(lines);
      });
      caret.hidden = !(issues && issues.length);
    }
    function errorText(a) {
      var e = (a.data && a.data.error) || { message: "HTTP " + a.status };
      return e.message + (e.hint ? " — " + e.hint : "");
    }
    var chart = document.getElementById("preview");
    var timer = null, asked = 0;
    var lang = form.getAttribute("data-lang"), calendar = form.getAttribute("data-calendar");
    var dayFormat = new Intl.DateTimeFormat(
      (lang === "fa" ? "fa-IR" : "en-GB") + "-u-ca-" + (calendar === "jalali" ? "persian" : "gregory"),
      { year: "numeric", month: "short", day: "numeric" });

    function emptyChart() {
      if (window.Plotly) Plotly.purge(chart);
      chart.innerHTML = '<p class="help"></p>';
      chart.firstChild.textContent = chart.getAttribute("data-empty");
    }
    function draw(found) {
      var x = found.points.map(function (p) { return dayFormat.format(new Date(p.day + "T00:00:00")); });
      var y = found.points.map(function (p) { return p.value; });
      // Numbers in the page's language (Persian digits in Persian): ticks and hover text.
      var fmt = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US", { maximumSignificantDigits: 4 });
      var known = y.filter(function (v) { return v !== null; });
      var lo = Math.min.apply(null, known), hi = Math.max.apply(null, known);
      var ticks = [];
      for (var i = 0; i < 5 && known.length; i++) ticks.push(Number((lo + (hi - lo) * i / 4).toPrecision(3)));
      chart.innerHTML = "";
      chart.setAttribute("data-points", String(found.points.length));
      Plotly.newPlot(chart, [{
        x: x, y: y, type: "scatter", mode: "lines", line: { color: "#2563eb" }, connectgaps: false,
        text: y.map(function (v) { return v === null ? "—" : fmt.format(v); }),
        hovertemplate: "%{x}<br>%{text}<extra></extra>"
      }], {
        margin: lang === "fa" ? { t: 10, r: 60, b: 60, l: 50 } : { t: 10, r: 20, b: 60, l: 60 },
        // Time runs left to right in Persian too, as on every chart of the app (docs/web.md).
        xaxis: { type: "category", nticks: 8 },
        yaxis: { side: lang === "fa" ? "right" : "left", tickvals: ticks, ticktext: ticks.map(function (t) { return fmt.format(t); }) },
        font: { family: getComputedStyle(document.body).fontFamily },
        height: 260
      }, { displayModeBar: false, responsive: true });
    }
    function check() {
      var formula = area.value.trim();
      var mine = ++asked;
      if (!formula) { okLine.hidden = true; problem(null); emptyChart(); return; }
      var kpi = form.getAttribute("data-kpi") || null;
      api("POST", "/kpis/validate", { formula: formula, kpi: kpi }).then(function (a) {
        if (mine !== asked) return;
        if (!a.ok) { problem(errorText(a)); okLine.hidden = true; return; }
        if (!a.data.valid) {
          problem(lead.getAttribute("data-words"), a.data.issues);
          okLine.hidden = true; emptyChart();
          return;
        }
        problem(null); okLine.hidden = false;
        return api("POST", "/kpis/preview", { formula: formula, kpi: kpi }).then(function (p) {
          if (mine !== asked) return;
          if (p.ok) draw(p.data);
          else { problem(errorText(p)); emptyChart(); }
        });
      });
    }
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    if (area.value.trim()) check();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var id = value(form, "id");
      var spec = {
        id: id,
        name: { en: value(form, "name.en"), fa: value(form, "name.fa") },
        description: { en: value(form, "description.en"), fa: value(form, "description.fa") },
        formula: area.value.trim(),
        unit: value(form, "unit"), direction: value(form, "direction"), kind: value(form, "kind"),
        timing: value(form, "timing"), category: value(form, "category"),
        dimensions: list(value(form, "dimensions")),
        decimals: number(value(form, "decimals")) === null ? 2 : number(value(form, "decimals")),
        owner: value(form, "owner"),
        tags: list(value(form, "tags"))
      };
      if (!id) { form.querySelector('.field-error[data-for="id"]').textContent = form.elements.id.nextElementSibling ? form.elements.id.nextElementSibling.textContent : "id"; return; }
      api("PUT", "/kpis/" + encodeURIComponent(id), spec).then(function (a) {
        if (!a.ok) return showError(form, a);
        location.href = withLang(form.getAttribute("data-home") + "/kpis/" + encodeURIComponent(id));
      });
    });
  }

  // ---- delete/remove buttons: confirm, DELETE, then reload or go on ----
  function deleteButtons() {
    document.querySelectorAll("[data-delete]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!window.confirm(button.getAttribute("data-confirm"))) return;
        api("DELETE", button.getAttribute("data-delete")).then(function (a) {
          var form = button.closest("form") || document.querySelector("form[data-editor]");
          if (!a.ok) return showError(form, a);
          var then = button.getAttribute("data-then");
          if (then === "reload") location.reload(); else location.href = then;
        });
      });
    });
  }

  // ---- targets and goals ----
  function targetEditor(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var body = { kpi: form.getAttribute("data-kpi") };
      ["id", "scope", "period", "every", "owner", "note"].forEach(function (k) {
        var v = value(form, k);
        if (v) body[k] = v;
      });
      ["value", "min", "max"].forEach(function (k) {
        var v = number(value(form, k));
        if (v !== null) body[k] = v;
      });
      body.goal = value(form, "goal");
      var calendar = body.period ? calendarOf(body.period) : undefined;
      if (calendar) body.calendar = calendar;
      api("POST", "/targets", body).then(function (a) {
        if (!a.ok) return showError(form, a);
        location.reload();
      });
    });
  }
  // A new goal is POSTed; an existing one (data-goal) is PUT whole: each KPI kept keeps its
  // kind in the goal and the KPIs it drives among those kept (data-links, as stored).
  function goalEditor(form) {
    var goal = form.getAttribute("data-goal");
    var links = JSON.parse(form.getAttribute("data-links") || "{}");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var ids = list(value(form, "kpis"));
      var body = { kpis: ids.map(function (k) { return links[k] ? { kpi: k, kind: links[k].kind } : { kpi: k }; }), drives: {} };
      ids.forEach(function (k) {
        var drives = ((links[k] || {}).drives || []).filter(function (d) { return ids.indexOf(d) >= 0; });
        if (drives.length) body.drives[k] = drives;
      });
      ["id", "title", "title_fa", "description", "description_fa", "owner", "period"].forEach(function (k) { body[k] = value(form, k); });
      var calendar = calendarOf(body.period);
      if (calendar) body.calendar = calendar;
      var call = goal ? api("PUT", "/goals/" + encodeURIComponent(goal), body) : api("POST", "/goals", body);
      call.then(function (a) {
        if (!a.ok) return showError(form, a);
        location.href = form.getAttribute("data-then");
      });
    });
  }

  // ---- workspace settings ----
  function settingsEditor(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      var body = {};
      ["name", "currency", "locale", "calendar", "week_start"].forEach(function (k) { body[k] = value(form, k); });
      body.fiscal_year_start_month = number(value(form, "fiscal_year_start_month"));
      body.gross_margin = number(value(form, "gross_margin"));
      api("PUT", "/settings", body).then(function (a) {
        if (!a.ok) return showError(form, a);
        done(form);
      });
    });
  }

  // ---- members (admins) ----
  function membersEditor(form) {
    var table = document.getElementById("members");
    var roles = JSON.parse(table.getAttribute("data-roles"));
    var errorBox = document.getElementById("members-error");
    function showTableError(a) {
      var e = (a.data && a.data.error) || { message: "HTTP " + a.status };
      errorBox.textContent = e.message + (e.hint ? " — " + e.hint : "");
    }
    function render(members) {
      var body = table.tBodies[0];
      body.innerHTML = "";
      members.forEach(function (m) {
        var row = body.insertRow();
        row.setAttribute("data-email", m.email);
        var email = row.insertCell(); email.textContent = m.email; email.dir = "ltr";
        var roleCell = row.insertCell();
        var select = document.createElement("select");
        select.setAttribute("aria-label", m.email);
        Object.keys(roles).forEach(function (r) {
          var o = document.createElement("option"); o.value = r; o.textContent = roles[r]; o.selected = r === m.role; select.appendChild(o);
        });
        roleCell.appendChild(select);
        var change = document.createElement("button"); change.type = "button"; change.textContent = table.getAttribute("data-change");
        change.addEventListener("click", function () {
          errorBox.textContent = "";
          api("PUT", "/members", { email: m.email, role: select.value }).then(function (a) { if (!a.ok) { showTableError(a); select.value = m.role; } else load(); });
        });
        roleCell.appendChild(change);
        var actions = row.insertCell();
        var remove = document.createElement("button"); remove.type = "button"; remove.className = "danger"; remove.textContent = table.getAttribute("data-remove");
        remove.addEventListener("click", function () {
          if (!window.confirm(table.getAttribute("data-confirm"))) return;
          errorBox.textContent = "";
          api("DELETE", "/members/" + encodeURIComponent(m.email)).then(function (a) { if (!a.ok) showTableError(a); else render(a.data); });
        });
        actions.appendChild(remove);
      });
    }
    function load() { api("GET", "/members").then(function (a) { if (a.ok) render(a.data); else showTableError(a); }); }
    load();
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      api("PUT", "/members", { email: value(form, "email"), role: value(form, "role") }).then(function (a) {
        if (!a.ok) return showError(form, a);
        form.reset(); load();
      });
    });
  }

  // ---- my tokens and password ----
  function tokensEditor(form) {
    var table = document.getElementById("tokens");
    var lang = table.getAttribute("data-lang"), calendar = table.getAttribute("data-calendar");
    var when = new Intl.DateTimeFormat((lang === "fa" ? "fa-IR" : "en-GB") + "-u-ca-" + (calendar === "jalali" ? "persian" : "gregory"), { dateStyle: "medium", timeStyle: "short" });
    var errorBox = document.getElementById("tokens-error");
    function render(tokens) {
      var body = table.tBodies[0];
      body.innerHTML = "";
      if (!tokens.length) { var r = body.insertRow(); var c = r.insertCell(); c.colSpan = 4; c.textContent = table.getAttribute("data-none"); }
      tokens.forEach(function (t) {
        var row = body.insertRow();
        row.setAttribute("data-token", String(t.id));
        row.insertCell().textContent = t.name + (t.read_only ? " (" + table.getAttribute("data-read-only") + ")" : "");
        row.insertCell().textContent = when.format(new Date(t.created_at));
        row.insertCell().textContent = t.last_used_at ? when.format(new Date(t.last_used_at)) : "—";
        var last = row.insertCell();
        if (t.revoked_at) { last.textContent = table.getAttribute("data-revoked"); return; }
        var b = document.createElement("button"); b.type = "button"; b.className = "danger"; b.textContent = table.getAttribute("data-revoke");
        b.addEventListener("click", function () {
          if (!window.confirm(table.getAttribute("data-confirm"))) return;
          api("DELETE", "/api/v1/tokens/" + t.id).then(function (a) { if (!a.ok) { var e = a.data.error; errorBox.textContent = e.message + (e.hint ? " — " + e.hint : ""); } else load(); });
        });
        last.appendChild(b);
      });
    }
    function load() { api("GET", "/api/v1/tokens").then(function (a) { if (a.ok) render(a.data); }); }
    load();
    var once = document.getElementById("token-once"), text = document.getElementById("token-text");
    document.getElementById("token-copy").addEventListener("click", function (event) {
      var button = event.target;
      var copied = function () { button.textContent = button.getAttribute("data-copied"); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text.textContent).then(copied);
      else { var range = document.createRange(); range.selectNodeContents(text); var s = getSelection(); s.removeAllRanges(); s.addRange(range); document.execCommand("copy"); copied(); }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      api("POST", "/api/v1/tokens", { name: value(form, "name"), read_only: form.elements.read_only.checked }).then(function (a) {
        if (!a.ok) return showError(form, a);
        text.textContent = a.data.token; once.hidden = false; form.elements.name.value = ""; load();
      });
    });
  }
  function passwordEditor(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors(form);
      api("POST", "/api/v1/auth/password", { current_password: form.elements.current_password.value, new_password: form.elements.new_password.value }).then(function (a) {
        if (!a.ok) return showError(form, a);
        done(form);
        setTimeout(function () { location.href = "/login"; }, 2500);
      });
    });
  }

  var editors = { kpi: kpiEditor, target: targetEditor, goal: goalEditor, settings: settingsEditor, member: membersEditor, token: tokensEditor, password: passwordEditor };
  document.querySelectorAll("form[data-editor]").forEach(function (form) {
    editors[form.getAttribute("data-editor")](form);
  });
  deleteButtons();
})();
