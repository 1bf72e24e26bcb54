// Lives outside templates/assets so that it is never part of a built site.
// pilotscope live reload and error overlay. Injected by `pilotscope serve`
// into the pages it serves; never part of the built site.
(function () {
  "use strict";
  var scrollKey = "pilotscope-scroll:" + location.pathname;

  function here() {
    var p = decodeURIComponent(location.pathname).replace(/^\/+/, "");
    if (p === "" || p.charAt(p.length - 1) === "/") p += "index.html";
    return p;
  }

  // Keep the reader's place across reloads.
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(0, parseInt(saved, 10) || 0); };
    if (document.readyState === "complete") restore(); else window.addEventListener("load", restore);
    // The editor adds its view after the page loads, which moves the page.
    document.addEventListener("pilotscope:layout", restore);
  }

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/__pilotscope/live.css";
  document.head.appendChild(css);

  function text(tag, cls, value) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    el.textContent = value;
    return el;
  }

  function showErrors(errors) {
    var old = document.getElementById("pilotscope-overlay");
    if (old) old.parentNode.removeChild(old);
    if (!errors || errors.length === 0) return;
    var box = document.createElement("section");
    box.id = "pilotscope-overlay";
    box.setAttribute("role", "alert");
    var close = text("button", "", "hide");
    close.type = "button";
    close.addEventListener("click", function () { box.parentNode.removeChild(box); });
    box.appendChild(close);
    var count = function (level, one, many) {
      var n = errors.filter(function (e) { return e.level === level; }).length;
      return n === 0 ? "" : n === 1 ? "1 " + one : n + " " + many;
    };
    var title = [count("error", "error", "errors"), count("warning", "warning", "warnings")]
      .filter(function (t) { return t; }).join(", ");
    box.appendChild(text("h2", "", title + " to look at"));
    var list = document.createElement("ol");
    errors.forEach(function (e) {
      var li = document.createElement("li");
      li.className = e.level;
      li.appendChild(text("span", "loc", (e.level === "warning" ? "warning: " : "") + e.location));
      li.appendChild(document.createTextNode(" " + e.message));
      if (e.line_text) li.appendChild(text("pre", "", e.line_text + "\n" + e.caret));
      if (e.help) li.appendChild(text("div", "help", "help: " + e.help));
      list.appendChild(li);
    });
    box.appendChild(list);
    document.body.appendChild(box);
  }

  function reload() {
    // The editor is waiting for the server's answer to a change: reload
    // once it has it, or the answer would be lost with the page.
    if (document.documentElement.hasAttribute("data-pilotscope-busy")) {
      document.addEventListener("pilotscope-idle", reload, { once: true });
      return;
    }
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  fetch("/__pilotscope/status", { cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (m) { showErrors(m.errors); })
    .catch(function () {});

  var source = new EventSource("/__pilotscope/events");
  source.onmessage = function (event) {
    var m;
    try { m = JSON.parse(event.data); } catch (e) { return; }
    if (m.changed && m.changed.indexOf(here()) !== -1) { reload(); return; }
    showErrors(m.errors);
  };
  source.addEventListener("reload", reload);
})();
