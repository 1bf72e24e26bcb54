// pilotscope: sorting and filtering of the pilots table. The table reads
// fine without this script; it only adds controls. No inline handlers:
// the Content-Security-Policy forbids inline script.
(function () {
  "use strict";
  var table = document.querySelector("table[data-sortable]");
  if (!table) return;
  var tbody = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(tbody.rows);

  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var v = cell ? (cell.getAttribute("data-value") || cell.textContent) : "";
    return kind === "num" ? parseFloat(v) || 0 : v.trim().toLowerCase();
  }

  headers.forEach(function (th, index) {
    var kind = th.getAttribute("data-sort");
    if (!kind) return;
    // Chromium prints no button in the header it repeats on each page of
    // paper: print styles show this label instead (style.css, @media print).
    th.setAttribute("data-label", th.textContent.trim());
    var button = document.createElement("button");
    button.type = "button";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var sorted = rows.slice().sort(function (a, b) {
        var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
        var c = x < y ? -1 : x > y ? 1 : 0;
        return ascending ? c : -c;
      });
      sorted.forEach(function (r) { tbody.appendChild(r); });
    });
  });

  var filters = document.querySelector("[data-filters]");
  if (!filters) return;
  filters.hidden = false;
  var text = filters.querySelector('[data-filter="text"]');
  var verdict = filters.querySelector('[data-filter="verdict"]');
  var stage = filters.querySelector('[data-filter="stage"]');
  var count = filters.querySelector("[data-count]");

  function apply() {
    var q = text.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (r) {
      var ok = (!verdict.value || r.getAttribute("data-verdict") === verdict.value) &&
        (!stage.value || r.getAttribute("data-stage") === stage.value) &&
        (!q || r.textContent.toLowerCase().indexOf(q) !== -1);
      r.hidden = !ok;
      if (ok) shown++;
    });
    count.textContent = shown === rows.length ? rows.length + " pilots" : shown + " of " + rows.length + " pilots shown";
  }
  [text, verdict, stage].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  apply();
})();
