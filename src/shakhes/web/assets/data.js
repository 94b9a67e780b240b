// The Data page: upload files (dry run first, then import), undo an import, retry the
// quarantined rows. Every change goes through the REST API with the X-CSRF-Token header.
(function () {
  "use strict";
  const main = document.getElementById("main");
  const api = main.dataset.api;
  const csrf = main.dataset.csrf;
  const words = JSON.parse(document.getElementById("data-words").textContent);
  // A quarantined row's reason in the page's language, by its code (else as written).
  const reasonWords = JSON.parse(document.getElementById("data-reasons").textContent);
  const upload = document.getElementById("upload");
  const lang = upload ? upload.dataset.lang : document.documentElement.lang;
  const jalali = upload ? upload.dataset.jalali === "true" : false;
  const numbers = new Intl.NumberFormat(lang === "fa" ? "fa-IR" : "en-US");
  const days = new Intl.DateTimeFormat(
    (lang === "fa" ? "fa-IR" : "en-GB") + (jalali ? "-u-ca-persian" : "-u-ca-gregory"),
    { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }
  function num(n) { return el("span", { class: "num", "data-value": String(n) }, numbers.format(n)); }
  // Days as the pages write them: ISO in English on the Gregorian calendar, else named.
  function day(iso) {
    return lang === "en" && !jalali ? iso : days.format(new Date(iso + "T00:00:00Z"));
  }

  // Every API call's headers: the session's CSRF token, and the page's language, in which the
  // API answers its errors.
  function headers() {
    return { "X-CSRF-Token": csrf, "Accept": "application/json", "Accept-Language": document.documentElement.lang || "en" };
  }
  // A refused answer's error: the API's own (its one JSON shape), else its status.
  function refusal(status, data) {
    return (data && data.error) || { code: String(status), message: words.failed + " (" + status + ")" };
  }

  async function call(method, path, body) {
    const init = { method, headers: headers() };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers["Content-Type"] = "application/json";
    }
    let answer;
    try { answer = await fetch(api + path, init); } catch (e) {
      throw { code: "network", message: words.failed + ": " + e.message };
    }
    const data = await answer.json().catch(() => null);
    if (!answer.ok) throw refusal(answer.status, data);
    return data;
  }

  // POST files with the upload's progress on ``bar`` (fetch cannot report it): its share of
  // the bytes sent, then — while the server reads and imports them — no value (busy).
  function sendFiles(path, body, bar) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", api + path);
      for (const [name, value] of Object.entries(headers())) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) { bar.max = e.total; bar.value = e.loaded; }
      });
      xhr.upload.addEventListener("load", () => bar.removeAttribute("value"));
      for (const kind of ["error", "abort", "timeout"]) {
        xhr.addEventListener(kind, () => reject({ code: "network", message: words.failed }));
      }
      xhr.addEventListener("load", () => {
        let data = null;
        try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
        if (xhr.status >= 200 && xhr.status < 300) resolve(data);
        else reject(refusal(xhr.status, data));
      });
      xhr.send(body);
    });
  }

  function problem(error) {
    const box = el("div", { class: "problem", role: "alert" }, el("strong", {}, error.message));
    if (error.hint) box.append(el("p", { class: "hint" }, error.hint));
    const details = (error.details || []).slice(0, 10);
    if (details.length) {
      box.append(el("ul", {}, ...details.map((d) =>
        el("li", {}, (d.line ? "#" + numbers.format(d.line) + " " : "") + (d.message || JSON.stringify(d))))));
    }
    return box;
  }

  // Reload the log and the quarantine from the page, keeping the upload section as it is.
  async function refresh() {
    const answer = await fetch(location.href, { headers: { "Accept": "text/html" } });
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    for (const id of ["log", "quarantine"]) {
      const now = document.getElementById(id);
      const next = fresh.getElementById(id);
      if (now && next) now.replaceWith(document.adoptNode(next));
    }
    bind();
  }

  // ---- upload --------------------------------------------------------------------------

  const chosen = [];  // {file, item}

  function preview(file, item) {
    const box = item.querySelector(".preview");
    if (!/\.(csv|tsv|txt)$/i.test(file.name)) {
      box.append(el("p", { class: "muted small" }, words.no_preview));
      return;
    }
    file.slice(0, 65536).arrayBuffer().then((buffer) => {
      const bytes = new Uint8Array(buffer);
      let encoding = "utf-8";
      if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = "utf-16le";
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = "utf-16be";
      const text = new TextDecoder(encoding).decode(bytes);
      const lines = text.split(/\r?\n/).slice(0, 8).join("\n");
      box.append(el("p", { class: "muted small" }, words.first_lines),
        el("pre", { dir: "auto" }, lines));
    });
  }

  function report(record, dry) {
    const r = record.report;
    const dl = el("dl", { class: "report" });
    const pair = (k, v) => dl.append(el("div", {}, el("dt", {}, words[k]), el("dd", {}, v)));
    pair("source", r.source);
    pair("table", r.table);
    pair("rows_read", num(r.rows_read));
    pair(dry ? "would_accept" : "accepted", num(r.accepted));
    pair("quarantined", num(r.quarantined));
    if (r.replaced) pair("replaced", num(r.replaced));
    if (r.summary_rows) pair("summary_rows", num(r.summary_rows));
    if (r.date_range) pair("dates", day(r.date_range[0]) + " – " + day(r.date_range[1]));
    if (r.accounts && r.accounts.length) pair("accounts", r.accounts.join("، "));
    const box = el("div", { class: "outcome" }, dl);
    const reasons = {};
    for (const issue of r.rejected || []) {
      const reason = reasonWords[issue.code] || issue.message;
      reasons[reason] = (reasons[reason] || 0) + 1;
    }
    if (Object.keys(reasons).length) {
      box.append(el("p", { class: "small" }, words.reasons),
        el("ul", { class: "reasons" }, ...Object.entries(reasons).map(([m, n]) =>
          el("li", {}, num(n), " × ", m))));
    }
    if (r.warnings && r.warnings.length) {
      box.append(el("p", { class: "small" }, words.warnings),
        el("ul", { class: "warnings" }, ...r.warnings.map((w) => el("li", {}, w))));
    }
    if (dry) box.append(el("p", { class: "muted small" }, words.dry_run));
    else box.prepend(el("p", { class: "done" }, words.imported + " #" + numbers.format(r.import_id)));
    return box;
  }

  function show(records, dry) {
    let good = 0;
    records.forEach((record, i) => {
      const item = chosen[i].item;
      item.querySelector(".outcome-box").replaceChildren(
        record.error ? el("div", {}, el("p", { class: "refused" }, words.refused), problem(record.error))
          : report(record, dry));
      item.classList.toggle("refused", !!record.error);
      if (!record.error) good += 1;
    });
    return good;
  }

  function choose(files) {
    const list = document.getElementById("file-list");
    chosen.length = 0;
    list.replaceChildren();
    for (const file of files) {
      const item = el("li", { class: "file", "data-file": file.name },
        el("h3", {}, el("bdi", {}, file.name), " ", el("small", {}, num(file.size), " ", words.bytes)),
        el("div", { class: "preview" }),
        el("div", { class: "outcome-box" }, el("p", { class: "muted" }, words.checking)));
      list.append(item);
      chosen.push({ file, item });
      preview(file, item);
    }
    dryRun();
  }

  // The options a file may need (source, currency, account, mapping, replace range): sent
  // with every dry run and import; a refused file that one of them fixes opens them.
  const option = (id) => document.getElementById("opt-" + id);
  function form(dry) {
    const body = new FormData();
    for (const { file } of chosen) body.append("files", file, file.name);
    body.append("dry_run", dry ? "true" : "false");
    body.append("source", option("source").value);
    const currency = option("currency").value.trim().toUpperCase();
    if (currency) body.append("currency", currency);
    const account = option("account").value.trim();
    if (account) body.append("account", account);
    const mapping = option("mapping").files[0];
    if (mapping) body.append("mapping", mapping, mapping.name);
    if (option("replace").checked) body.append("replace_range", "true");
    return body;
  }
  // Which option fixes a refusal, by its code.
  const FIXED_BY = { no_currency: "currency", mixed_currencies: "currency", no_account: "account",
    unrecognised_layout: "mapping", missing_columns: "mapping", not_canonical: "source",
    unknown_source: "source" };
  function offer(records) {
    const codes = records.map((r) => r.error && r.error.code).filter((c) => c in FIXED_BY);
    if (!codes.length) return;
    const box = document.getElementById("upload-options");
    box.open = true;
    const field = option(FIXED_BY[codes[0]]);
    field.classList.add("wanted");
    if (!box.contains(document.activeElement)) field.focus();  // not away from a field in use
  }
  const OPTIONS = ["source", "currency", "account", "mapping", "replace"];
  // Each dry run and import is numbered: the answer of one that a newer one replaced (the
  // files or an option changed meanwhile) is dropped, never shown over the newer one's.
  let asked = 0;

  async function dryRun() {
    const actions = document.getElementById("import-actions");
    const button = document.getElementById("import-button");
    const state = document.getElementById("import-state");
    actions.hidden = false;
    button.disabled = true;
    state.textContent = words.checking;
    const mine = ++asked;
    try {
      const records = await call("POST", "/imports", form(true));
      if (mine !== asked) return;
      const good = show(records, true);
      offer(records);
      button.disabled = good === 0;
      state.textContent = "";
    } catch (error) {
      if (mine !== asked) return;
      for (const { item } of chosen) item.querySelector(".outcome-box").replaceChildren(problem(error));
      state.textContent = "";
    }
  }

  async function importAll() {
    const button = document.getElementById("import-button");
    const state = document.getElementById("import-state");
    button.disabled = true;
    upload.setAttribute("aria-busy", "true");
    const bar = el("progress", { value: "0", max: "1" });
    state.replaceChildren(bar, " ", words.importing);
    ++asked;  // a dry run still on its way is not shown over the import
    const body = form(false);
    const fields = [document.getElementById("files"), ...OPTIONS.map(option)];
    for (const field of fields) field.disabled = true;  // nothing changes under the import
    try {
      show(await sendFiles("/imports", body, bar), false);
      state.textContent = "";
      await refresh();
    } catch (error) {
      state.replaceChildren(problem(error));
    } finally {
      for (const field of fields) field.disabled = false;
      upload.removeAttribute("aria-busy");
    }
  }

  if (upload) {
    const input = document.getElementById("files");
    const drop = document.getElementById("drop");
    input.addEventListener("change", () => choose(Array.from(input.files)));
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      choose(Array.from(e.dataTransfer.files));
    });
    document.getElementById("import-button").addEventListener("click", importAll);
    for (const id of OPTIONS) {
      option(id).addEventListener("change", () => {
        option(id).classList.remove("wanted");
        if (chosen.length) dryRun();
      });
    }
  }

  // ---- undo and retry --------------------------------------------------------------------

  function bind() {
    for (const button of document.querySelectorAll("#log button.undo")) {
      button.addEventListener("click", async () => {
        const id = button.dataset.import;
        if (!confirm(words.confirm_undo.replace("{id}", numbers.format(Number(id))))) return;
        button.disabled = true;
        const where = button.nextElementSibling;
        try {
          await call("POST", "/imports/" + encodeURIComponent(id) + "/undo");
          await refresh();
        } catch (error) {
          button.disabled = false;
          where.replaceChildren(problem(error));
        }
      });
    }
    const retry = document.getElementById("retry");
    if (retry) {
      retry.addEventListener("submit", async (event) => {
        event.preventDefault();
        const state = retry.querySelector(".state");
        const body = {};
        if (retry.currency.value) body.currency = retry.currency.value.toUpperCase();
        if (retry.account.value) body.account = retry.account.value;
        state.replaceChildren(el("progress", {}), " ", words.importing);
        try {
          const done = await call("POST", "/imports/" + encodeURIComponent(retry.import_id.value) + "/retry", body);
          await refresh();
          const again = document.querySelector("#retry .state") || document.querySelector("#quarantine");
          again.append(el("p", { class: "done" }, words.resolved + ": ", num(done.resolved)));
        } catch (error) {
          state.replaceChildren(problem(error));
        }
      });
    }
  }
  bind();
}());
