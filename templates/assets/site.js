// pilotscope: sorting and filtering of the pilots table. The table reads
// fine without this script (the first rows on the index, the others on the
// pages of the table); it only adds controls. No inline handlers: the
// Content-Security-Policy forbids inline script.
//
// With `table.js` loaded (window.PILOTSCOPE_TABLE: every row as data, in
// the table's order), sorting and filtering work on that data and only the
// first rows of the result are in the page, a page more at each "Show
// more": at 10,000 pilots a page of every row was 270,000 elements and
// took seconds to sort. Without it (a project's own index.html), the rows
// of the page are sorted and filtered as they are.
(function () {
  "use strict";

  // The controls are in the page at once, waiting (disabled) until the
  // rows they work on are there: every row from table.js, asked for only
  // once the page has loaded (at 50,000 pilots it is 35 MB, and the page
  // is read before it), or else the rows of the page. Then the table gets
  // `data-rows` ("all" or "page") and the mark "pilotscope-table-ready".
  function init() {
    var table = document.querySelector("table[data-sortable]");
    if (!table) return;
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var sorting = sortButtons(headers);
    var controls = filterControls();
    // Only the site's own table.js, whatever the attribute says.
    var src = table.getAttribute("data-rows-src");
    if (src && !/^(\.\.\/)*table\.js$/.test(src)) src = null;
    function start(data) {
      if (data && data.rows && table.tHead.querySelector("[data-key]")) {
        withData(table, data, sorting, controls);
        table.setAttribute("data-rows", "all");
      } else {
        withRows(table, sorting, controls);
        table.setAttribute("data-rows", "page");
      }
      if (controls) controls.ready();
      if (window.performance && performance.mark) performance.mark("pilotscope-table-ready");
    }
    if (window.PILOTSCOPE_TABLE || !src) {
      start(window.PILOTSCOPE_TABLE);
      return;
    }
    if (controls) controls.waiting();
    function load() {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () { start(window.PILOTSCOPE_TABLE); };
      script.onerror = function () { start(null); };
      document.body.appendChild(script);
    }
    if (document.readyState === "complete") {
      load();
    } else {
      window.addEventListener("load", load);
    }
  }

  // Every header becomes a button, disabled until `sorting.on(sort)` says
  // what to do when one is pressed: `sort(index, key, kind, ascending)`.
  function sortButtons(headers) {
    var buttons = [];
    var sort = null;
    headers.forEach(function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      // Chromium prints no button in the header it repeats on each page of
      // paper: print styles show this label instead (style.css, @media print).
      th.setAttribute("data-label", th.textContent.trim());
      var button = document.createElement("button");
      button.type = "button";
      button.disabled = true;
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      buttons.push(button);
      button.addEventListener("click", function () {
        if (!sort) return;
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sort(index, th.getAttribute("data-key"), kind, ascending);
      });
    });
    return {
      on: function (f) {
        sort = f;
        buttons.forEach(function (b) { b.disabled = false; });
      }
    };
  }

  function filterControls() {
    var filters = document.querySelector("[data-filters]");
    if (!filters) return null;
    filters.hidden = false;
    return {
      // What was typed before the rows came is kept, and applied then.
      waiting: function () {
        this.count.textContent = "loading every pilot…";
        filters.setAttribute("aria-busy", "true");
      },
      ready: function () {
        filters.removeAttribute("aria-busy");
      },
      changed: function () {
        return !!(this.text.value.trim() || this.verdict.value || this.stage.value);
      },
      text: filters.querySelector('[data-filter="text"]'),
      verdict: filters.querySelector('[data-filter="verdict"]'),
      stage: filters.querySelector('[data-filter="stage"]'),
      count: filters.querySelector("[data-count]"),
      on: function (apply) {
        [this.text, this.verdict, this.stage].forEach(function (el) {
          el.addEventListener("input", apply);
          el.addEventListener("change", apply);
        });
      }
    };
  }

  function fmt(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // ------------------------------------------------------------ from table.js

  function withData(table, data, sorting, controls) {
    var tbody = table.tBodies[0];
    var rows = data.rows;
    var root = (document.querySelector('link[rel="stylesheet"]').getAttribute("href") || "").replace(/assets\/style\.css$/, "");
    // What the search box looks in, made once.
    var search = rows.map(function (r) {
      return [r.t, r.u, r.o, r.sl, r.vl, r.mn, r.m, r.f.map(function (f) { return f[1]; }).join(" ")]
        .join(" ").toLowerCase();
    });
    var keys = {
      title: function (r) { return r.t.toLowerCase(); },
      unit: function (r) { return r.u.toLowerCase(); },
      owner: function (r) { return r.o.toLowerCase(); },
      stage: function (r) { return r.sr; },
      verdict: function (r) { return r.vr; },
      readiness: function (r) { return r.r; },
      most: function (r) { return r.m; },
      budget: function (r) { return r.bv; },
      decision: function (r) { return r.dr; },
      flags: function (r) { return r.f.map(function (f) { return f[0]; }).join(" "); }
    };
    // The five mistakes at once, as pilot_rows.html's `mistakes_rank`:
    // ten for each active, one for each at risk.
    var weight = { active: 10, at_risk: 1, clear: 0 };
    keys.mistakes = function (r) {
      return r.c.reduce(function (n, c) { return n + weight[c[0]]; }, 0);
    };
    var fixes = {};
    data.mistakes.forEach(function (m) { fixes[m.id] = m.fix_short; });
    var order = rows.map(function (_, i) { return i; }); // the sorted rows
    var shown = order;                                   // those the filters keep
    var limit = data.pageRows || 50;
    var showing = tbody.rows.length;                     // rendered by pilotscope
    var more = document.querySelector("[data-more]");
    var pager = document.querySelector("[data-pager]");
    var only = null;                                     // #show=… from the FAQ

    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined) e.textContent = text;
      return e;
    }

    // The same markup as pilot_rows.html.
    function render(r) {
      var tr = el("tr");
      tr.setAttribute("data-verdict", r.v);
      tr.setAttribute("data-stage", r.st);
      var th = el("th");
      th.scope = "row";
      var a = el("a", "", r.t);
      a.href = root + r.h;
      if (r.s) a.title = r.s;
      th.appendChild(a);
      r.f.forEach(function (f) {
        th.appendChild(document.createTextNode(" "));
        var span = el("span", "flag flag-" + f[0], f[1]);
        span.title = f[2];
        th.appendChild(span);
      });
      tr.appendChild(th);
      var unit = el("td", "", r.u);
      unit.appendChild(el("span", "row-owner", r.o || "no owner named"));
      tr.appendChild(unit);
      tr.appendChild(el("td", "", r.sl));
      var v = el("td");
      v.appendChild(el("span", "verdict verdict-" + r.v, r.vl));
      tr.appendChild(v);
      tr.appendChild(el("td", "num", String(r.r)));
      var cells = el("td", "mistake-cells");
      r.c.forEach(function (c, i) {
        var s = data.statuses[c[0]];
        var m = data.mistakes[i];
        var mini = el("span", "mini status-" + c[0]);
        mini.setAttribute("data-m", m.initial);
        mini.setAttribute("role", "img");
        mini.title = m.name + ": " + s.label + ", score " + c[1];
        mini.appendChild(document.createTextNode(s.symbol));
        cells.appendChild(mini);
      });
      tr.appendChild(cells);
      var most = el("td");
      if (r.m) {
        var ab = el("abbr", "", r.m.charAt(0).toUpperCase() + r.m.slice(1));
        ab.title = r.mn;
        most.appendChild(ab);
        most.appendChild(el("span", "fix-word", fixes[r.m] || ""));
      } else {
        most.appendChild(el("span", "muted", "none"));
      }
      tr.appendChild(most);
      tr.appendChild(el("td", "num", r.b));
      var due = el("td", "decision-cell" + (r.dc ? " " + r.dc : ""));
      if (r.d) {
        due.appendChild(document.createTextNode(r.d + " "));
        due.appendChild(el("span", "decision-note", r.dn));
      }
      tr.appendChild(due);
      return tr;
    }

    function draw(count) {
      var frag = document.createDocumentFragment();
      var n = Math.min(count, shown.length);
      for (var i = 0; i < n; i++) frag.appendChild(render(rows[shown[i]]));
      tbody.textContent = "";
      tbody.appendChild(frag);
      showing = n;
      if (more) more.hidden = showing >= shown.length;
      if (pager) pager.hidden = true;
    }

    function sort(_, key, kind, ascending) {
      var f = keys[key];
      if (!f) return;
      var k = rows.map(f);
      var dir = ascending ? 1 : -1;
      // Rows that tie keep the table's own order (attention first).
      order = rows.map(function (_, i) { return i; }).sort(function (a, b) {
        var x = k[a], y = k[b];
        return x < y ? -dir : x > y ? dir : a - b;
      });
      filter(false);
    }


    function filter(keepCount) {
      var q = controls ? controls.text.value.trim().toLowerCase() : "";
      var verdict = controls ? controls.verdict.value : "";
      var stage = controls ? controls.stage.value : "";
      if (!q && !verdict && !stage && !only) {
        shown = order;
      } else {
        shown = order.filter(function (i) {
          var r = rows[i];
          return (!verdict || r.v === verdict) && (!stage || r.st === stage) &&
            (!only || (" " + r.k + " ").indexOf(" " + only + " ") !== -1) &&
            (!q || search[i].indexOf(q) !== -1);
        });
      }
      draw(keepCount ? Math.max(showing, limit) : limit);
      if (controls) {
        controls.count.textContent = shown.length === rows.length
          ? fmt(rows.length) + " pilots"
          : fmt(shown.length) + " of " + fmt(rows.length) + " pilots shown";
      }
    }

    sorting.on(sort);
    if (more) {
      more.querySelector("[data-show-more]").addEventListener("click", function () {
        draw(showing + limit);
      });
    }
    var hash = /(?:^#|&)show=([a-z0-9-]+)/.exec(location.hash);
    if (hash) only = hash[1];
    // The portfolio's own links to the table filtered ("and 40 more in
    // the table") change the hash of the page already open.
    window.addEventListener("hashchange", function () {
      var h = /(?:^#|&)show=([a-z0-9-]+)/.exec(location.hash);
      only = h ? h[1] : null;
      filter(false);
      if (only) table.scrollIntoView();
    });
    if (controls) {
      controls.on(function () { filter(false); });
    }
    if (only || (controls && controls.changed())) {
      filter(false);
    } else {
      // The first rows are already in the page, as pilotscope wrote them.
      if (more) more.hidden = showing >= rows.length;
      if (pager) pager.hidden = true;
      if (controls) controls.count.textContent = fmt(rows.length) + " pilots";
    }
  }

  // ------------------------------------------------------------ from the page

  function withRows(table, sorting, controls) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);

    function cellValue(row, index, kind) {
      var cell = row.cells[index];
      var v = cell ? (cell.getAttribute("data-value") || cell.textContent) : "";
      return kind === "num" ? parseFloat(v) || 0 : v.trim().toLowerCase();
    }

    sorting.on(function (index, _, kind, ascending) {
      var sorted = rows.slice().sort(function (a, b) {
        var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? c : -c;
      });
      sorted.forEach(function (r) { tbody.appendChild(r); });
    });

    if (!controls) return;
    function apply() {
      var q = controls.text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r) {
        var ok = (!controls.verdict.value || r.getAttribute("data-verdict") === controls.verdict.value) &&
          (!controls.stage.value || r.getAttribute("data-stage") === controls.stage.value) &&
          (!q || r.textContent.toLowerCase().indexOf(q) !== -1);
        r.hidden = !ok;
        if (ok) shown++;
      });
      controls.count.textContent = shown === rows.length ? fmt(rows.length) + " pilots" : fmt(shown) + " of " + fmt(rows.length) + " pilots shown";
    }
    controls.on(apply);
    apply();
  }

  // Deferred, this runs once the document's content is read.
  if (document.readyState === "complete") {
    init();
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
