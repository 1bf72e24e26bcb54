// Lives outside templates/assets so that it is never part of a built site.
// pilotscope's editor: answering a pilot's questions in the page. Injected
// by `pilotscope serve` (with this run's secret) when editing is on; never
// part of the built site. Every field is named by its key path in the
// format (`framing.production_owner`); the server writes the answer, the
// watcher rebuilds the page, and the live script reloads it.
(function () {
  "use strict";
  var script = document.currentScript;
  var secret = script ? script.getAttribute("data-secret") : "";
  if (!secret) return;
  var focusKey = "pilotscope-edit-focus";
  var openKey = "pilotscope-edit-open:" + location.pathname;

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/__pilotscope/edit.css";
  document.head.appendChild(css);

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) {
      if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]);
    }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // A change holds the live reload (see live.js) until its answer is in,
  // so that what the answer says (where the new pilot is) is not lost.
  var busy = 0;
  function hold(on) {
    busy += on ? 1 : -1;
    if (busy > 0) { document.documentElement.setAttribute("data-pilotscope-busy", ""); return; }
    document.documentElement.removeAttribute("data-pilotscope-busy");
    // Later, so that what the answer's handler stores comes first.
    setTimeout(function () { document.dispatchEvent(new Event("pilotscope-idle")); }, 0);
  }

  function request(method, url, body) {
    var init = { method: method, cache: "no-store", headers: { "X-Pilotscope-Secret": secret } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
      hold(true);
    }
    var done = function () { if (body !== undefined) hold(false); };
    return fetch(url, init).then(function (r) {
      return r.json().then(function (j) { done(); return { ok: r.ok, status: r.status, body: j }; }, function () {
        done();
        return { ok: false, status: r.status, body: { error: { message: "the server's answer could not be read (" + r.status + ")" } } };
      });
    }, function (e) { done(); throw e; });
  }

  var seq = 0;
  function uid(path) { seq += 1; return "ps-" + path.replace(/[^A-Za-z0-9_-]/g, "-") + "-" + seq; }

  // ------------------------------------------------------------ which page

  var gotoKey = "pilotscope-edit-goto";
  var pending = sessionStorage.getItem(gotoKey);
  if (pending && pending !== location.pathname) waitFor(pending, 0);
  else sessionStorage.removeItem(gotoKey);

  var main = document.getElementById("main") || document.body;
  var m = decodeURIComponent(location.pathname).match(/\/pilots\/(.+?)\/(index\.html)?$/);
  if (m) {
    request("GET", "/__pilotscope/edit/form?id=" + encodeURIComponent(m[1])).then(function (r) {
      if (r.ok) pilotPage(r.body);
    }).catch(function () {});
  } else if (document.querySelector(".page-head") && /\/(index\.html)?$/.test(location.pathname) && !/\/(framework|faq|pack|pilots)\//.test(location.pathname)) {
    newPilot();
  }

  // ------------------------------------------------------------ a new pilot

  function newPilot() {
    var box = el("details", { id: "ps-new", "class": "ps-editor" });
    box.appendChild(el("summary", {}, "Start a new pilot"));
    var form = el("form", { "class": "ps-form", novalidate: "" });
    var tId = uid("title"), sId = uid("stage"), eId = uid("new-error");
    form.appendChild(el("label", { "for": tId }, "Title"));
    var title = el("input", { id: tId, name: "title", type: "text", autocomplete: "off", "aria-describedby": eId });
    form.appendChild(title);
    form.appendChild(el("label", { "for": sId }, "Stage"));
    var stage = el("select", { id: sId, name: "stage" });
    ["proposed", "pilot", "scaling", "production", "paused", "abandoned"].forEach(function (s) {
      stage.appendChild(el("option", { value: s }, s));
    });
    form.appendChild(stage);
    var err = el("p", { id: eId, "class": "ps-error", "aria-live": "polite" });
    form.appendChild(el("button", { type: "submit" }, "Create the dossier"));
    form.appendChild(err);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      err.textContent = "";
      title.removeAttribute("aria-invalid");
      request("POST", "/__pilotscope/edit/new", { title: title.value, stage: stage.value }).then(function (r) {
        if (!r.ok) {
          err.textContent = r.body.error.message + (r.body.error.help ? " " + r.body.error.help : "");
          title.setAttribute("aria-invalid", "true");
          title.focus();
          return;
        }
        err.textContent = "Created; opening its questions…";
        sessionStorage.setItem("pilotscope-edit-open:" + r.body.page, "1");
        // Kept across the reload the new pilot may cause on this page.
        sessionStorage.setItem(gotoKey, r.body.page);
        waitFor(r.body.page, 0);
      });
    });
    box.appendChild(form);
    var head = main.querySelector(".page-head");
    if (head && head.nextSibling) head.parentNode.insertBefore(box, head.nextSibling); else main.insertBefore(box, main.firstChild);
  }

  // The new pilot's page appears once the watcher has built it.
  function waitFor(page, tries) {
    fetch(page, { method: "HEAD", cache: "no-store" }).then(function (r) {
      if (r.ok) {
        sessionStorage.removeItem(gotoKey);
        location.href = page;
      } else if (tries < 300) setTimeout(function () { waitFor(page, tries + 1); }, 100);
      else sessionStorage.removeItem(gotoKey);
    });
  }

  // ------------------------------------------------------------ a pilot's page

  function pilotPage(form) {
    var byPath = {};
    form.fields.forEach(function (f) { byPath[f.path] = f; });
    var status = el("p", { id: "ps-status", role: "status", "class": "ps-status" });

    // Every question, grouped by mistake.
    var all = el("details", { id: "ps-edit", "class": "ps-editor" });
    all.appendChild(el("summary", {}, "Edit answers"));
    all.appendChild(status);
    var head = main.querySelector(".pilot-head, .page-head");
    if (!form.readable) {
      // No form of empty fields over answers the reader could not read:
      // what to fix, where, in the editor the file is kept in.
      var box = el("div", { id: "ps-unreadable", "class": "ps-problems" });
      box.appendChild(el("p", {}, form.source + " cannot be read as it is, so its answers cannot be edited here. Fix it in your editor first; this page follows when it is saved."));
      var ul = el("ul");
      form.errors.forEach(function (e) {
        var li = el("li", {});
        li.appendChild(el("code", {}, e.at));
        li.appendChild(document.createTextNode(" " + e.message + (e.help ? " (" + e.help + ")" : "")));
        ul.appendChild(li);
      });
      box.appendChild(ul);
      all.appendChild(box);
      all.open = true;
      if (head && head.nextSibling) head.parentNode.insertBefore(all, head.nextSibling); else main.insertBefore(all, main.firstChild);
      return;
    }
    form.groups.forEach(function (g) {
      var fields = form.fields.filter(function (f) { return f.group === g.id; });
      var set = el("fieldset", { "class": "ps-group", "data-group": g.id });
      set.appendChild(el("legend", {}, g.name));
      var folded = el("details", { "class": "ps-folded" });
      var nFolded = 0;
      fields.forEach(function (f) {
        var node = field(form, f, status);
        if (f.applies) set.appendChild(node); else { folded.appendChild(node); nFolded += 1; }
      });
      if (nFolded) {
        folded.insertBefore(el("summary", {}, nFolded + (nFolded === 1 ? " question does" : " questions do") + " not apply at stage " + form.stage), folded.firstChild);
        set.appendChild(folded);
      }
      all.appendChild(set);
    });
    all.addEventListener("toggle", function () {
      if (all.open) sessionStorage.setItem(openKey, "1"); else sessionStorage.removeItem(openKey);
    });
    if (head && head.nextSibling) head.parentNode.insertBefore(all, head.nextSibling); else main.insertBefore(all, main.firstChild);

    // A control on each open check and each step of the path to ready.
    var rows = [];
    Array.prototype.forEach.call(document.querySelectorAll(".checks-table th > code"), function (code) {
      var row = code.closest("tr");
      if (row && row.closest("details.passing-checks") === null) rows.push({ id: code.textContent.trim(), at: row, cell: code.parentNode });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-check]"), function (li) {
      rows.push({ id: li.getAttribute("data-check"), at: li, cell: li });
    });
    rows.forEach(function (r) {
      var paths = form.checks[r.id];
      if (!paths || !paths.length) return;
      var button = el("button", { type: "button", "class": "ps-answer", "aria-expanded": "false" }, "Answer");
      var panel = null;
      button.addEventListener("click", function () {
        if (panel) {
          panel.parentNode.removeChild(panel);
          panel = null;
          button.setAttribute("aria-expanded", "false");
          return;
        }
        var inner = el("div", { "class": "ps-inline ps-editor" });
        paths.forEach(function (p) { if (byPath[p]) inner.appendChild(field(form, byPath[p], status)); });
        if (r.at.tagName === "TR") {
          panel = el("tr", { "class": "ps-inline-row" });
          var td = el("td", { colspan: String(r.at.children.length) });
          td.appendChild(inner);
          panel.appendChild(td);
          r.at.parentNode.insertBefore(panel, r.at.nextSibling);
        } else {
          panel = inner;
          r.at.appendChild(panel);
        }
        button.setAttribute("aria-expanded", "true");
        var first = panel.querySelector("input, select, textarea");
        if (first) first.focus();
      });
      r.cell.appendChild(document.createTextNode(" "));
      r.cell.appendChild(button);
    });

    // Back after the reload a save caused: the view open, focus where it was.
    var again = null;
    try { again = JSON.parse(sessionStorage.getItem(focusKey) || "null"); } catch (e) { again = null; }
    sessionStorage.removeItem(focusKey);
    if (sessionStorage.getItem(openKey) || (again && again.page === location.pathname)) all.open = true;
    if (again && again.page === location.pathname) {
      status.textContent = "Saved " + again.label + ". The diagnosis on this page is up to date.";
      var target = all.querySelector("[name=\"" + again.path + "\"]");
      if (target) target.focus();
    } else {
      // The view and the buttons moved the page: the live script puts the
      // reader back where they were before the reload.
      document.dispatchEvent(new Event("pilotscope:layout"));
    }
  }

  function help(f, at) {
    var parts = [f.question];
    if (f.help) parts.push(f.help);
    return parts.join(" ");
  }

  // One question: label, control, help, error, save.
  function field(form, f, status) {
    if (f.kind === "gaps" || f.kind === "kpis") return entries(form, f, status);
    var id = uid(f.path), hid = id + "-help", eid = id + "-error";
    var box = el("form", { "class": "ps-field", "data-path": f.path, novalidate: "" });
    box.appendChild(el("label", { "for": id }, f.label));
    var input = control(f, f.kind, f.choices, f.value, id, f.path);
    input.setAttribute("aria-describedby", hid + " " + eid);
    box.appendChild(input);
    box.appendChild(el("p", { id: hid, "class": "ps-help" }, help(f)));
    var err = el("p", { id: eid, "class": "ps-error" });
    box.appendChild(err);
    box.appendChild(el("button", { type: "submit" }, "Save"));
    box.addEventListener("submit", function (ev) {
      ev.preventDefault();
      save(form, { op: "set", path: f.path, value: read(input, f.kind) }, input, err, f.label, status);
    });
    return box;
  }

  function control(f, kind, choices, value, id, path) {
    var input;
    if (kind === "choice" || kind === "bool") {
      input = el("select", { id: id, name: path });
      input.appendChild(el("option", { value: "" }, "not answered"));
      var options = kind === "bool" ? [["true", "yes"], ["false", "no"]] : choices.map(function (c) { return [c, c.replace(/_/g, " ")]; });
      options.forEach(function (o) {
        var opt = el("option", { value: o[0] }, o[1]);
        if (value !== null && value !== undefined && String(value) === o[0]) opt.selected = true;
        input.appendChild(opt);
      });
    } else if (kind === "list") {
      input = el("textarea", { id: id, name: path, rows: "3" });
      input.value = (value || []).join("\n");
    } else {
      input = el("input", { id: id, name: path, type: "text", autocomplete: "off" });
      if (kind === "number" || kind === "share") input.setAttribute("inputmode", "decimal");
      input.value = value === null || value === undefined ? "" : String(value);
    }
    return input;
  }

  function read(input, kind) {
    if (kind === "list") return input.value.split("\n").map(function (s) { return s.trim(); }).filter(function (s) { return s; });
    if (kind === "bool") return input.value === "" ? null : input.value === "true";
    return input.value;
  }

  function save(form, change, input, err, label, status) {
    err.textContent = "";
    input.removeAttribute("aria-invalid");
    change.id = form.id;
    change.digest = form.digest;
    status.textContent = "Saving…";
    // Said before the request: the page may reload before its answer.
    sessionStorage.setItem(focusKey, JSON.stringify({ page: location.pathname, path: input.name, label: label }));
    return request("POST", "/__pilotscope/edit/save", change).then(function (r) {
      if (r.ok) {
        form.digest = r.body.digest;
        status.textContent = "Saved " + label + ". Updating the diagnosis…";
        return true;
      }
      sessionStorage.removeItem(focusKey);
      var e = r.body.error || { message: "the answer could not be saved" };
      err.textContent = e.message + (e.help ? " (" + e.help + ")" : "");
      status.textContent = "Not saved: " + label + ".";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return false;
    }).catch(function () {
      sessionStorage.removeItem(focusKey);
      err.textContent = "The server did not answer; nothing was saved.";
      input.focus();
      return false;
    });
  }

  // An entry's key as a label: `baseline` as "Baseline".
  function keyLabel(key) {
    var words = key.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  // A list of records (known gaps, business KPIs): each entry's answers,
  // removing an entry, and adding one.
  function entries(form, f, status) {
    var keys = form.entries[f.kind];
    var set = el("fieldset", { "class": "ps-entries", "data-path": f.path });
    set.appendChild(el("legend", {}, f.label));
    set.appendChild(el("p", { "class": "ps-help" }, help(f)));
    var noun = f.kind === "kpis" ? "KPI" : "gap";
    (f.value || []).forEach(function (entry, i) {
      var box = el("fieldset", { "class": "ps-entry" });
      box.appendChild(el("legend", {}, (entry.name || entry.gap || "Entry " + (i + 1))));
      keys.forEach(function (k) {
        var path = f.path + "." + i + "." + k.key;
        var one = field(form, { path: path, label: keyLabel(k.key), question: "", help: k.help, kind: k.kind, choices: k.choices, value: entry[k.key] }, status);
        box.appendChild(one);
      });
      var rid = uid(f.path + "-remove"), rerr = rid + "-error";
      var remove = el("button", { type: "button", id: rid, name: f.path + "." + i, "aria-describedby": rerr }, "Remove this " + noun);
      var removeErr = el("p", { id: rerr, "class": "ps-error" });
      remove.addEventListener("click", function () {
        save(form, { op: "remove", path: f.path + "." + i, value: null }, remove, removeErr, f.label, status);
      });
      box.appendChild(remove);
      box.appendChild(removeErr);
      set.appendChild(box);
    });
    // Adding an entry: every key of one, saved together.
    var add = el("form", { "class": "ps-entry ps-add", "data-path": f.path, novalidate: "" });
    add.appendChild(el("h4", {}, "Add a " + noun));
    var inputs = [];
    var eid = uid(f.path + "-add-error");
    keys.forEach(function (k) {
      var id = uid(f.path + "-new-" + k.key);
      add.appendChild(el("label", { "for": id }, keyLabel(k.key)));
      var input = control(k, k.kind, k.choices, null, id, f.path + ".new." + k.key);
      input.setAttribute("aria-describedby", eid);
      add.appendChild(input);
      inputs.push([k, input]);
    });
    var err = el("p", { id: eid, "class": "ps-error" });
    add.appendChild(el("button", { type: "submit" }, "Add the " + noun));
    add.appendChild(err);
    add.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var entry = {};
      inputs.forEach(function (p) {
        var v = read(p[1], p[0].kind);
        if (v !== null && v !== "") entry[p[0].key] = v;
      });
      save(form, { op: "add", path: f.path, value: entry }, inputs[0][1], err, f.label, status);
    });
    set.appendChild(add);
    return set;
  }
})();
