// Installable and readable offline: registers the service worker (static/js/sw.js, served
// as /sw.js), asks it to keep this page, the event's schedule and the visitor's agenda,
// and on a saved copy says so: "Offline: saved copy as of 14:05". Back online, that copy
// is replaced by the page itself.
(function () {
  "use strict";

  // Part of static/bundles/lineup.js: its script tag names the worker, except where a
  // page keeps no offline copies (the embed).
  var script = document.currentScript;
  var worker = script && script.dataset.worker;
  if (!worker || !("serviceWorker" in navigator)) return;
  var keep = (script.dataset.keep || "").split(" ").filter(Boolean);

  function asOf(ms) {
    var saved = new Date(ms), now = new Date();
    var lang = document.documentElement.lang || undefined;
    var time = saved.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    if (saved.toDateString() === now.toDateString()) return time;
    return saved.toLocaleDateString(lang, { weekday: "short", month: "short", day: "numeric" }) + " " + time;
  }

  function note() {
    var saved = Number(document.documentElement.dataset.offlineSaved);
    if (!saved) return;
    var box = document.createElement("div");
    box.className = "offline-note";
    box.setAttribute("role", "status");
    box.textContent = (script.dataset.note || "Offline: saved copy as of {time}").replace("{time}", asOf(saved));
    var main = document.getElementById("main");
    main.insertBefore(box, main.firstChild);
    // Back online (or the server back up): the page itself, fresh.
    function retry() { setTimeout(whenBack, 5000); }
    function whenBack() {
      fetch(location.href, { method: "HEAD", cache: "no-store" }).then(function (answer) {
        if (answer.ok) location.reload(); else retry();
      }, retry);
    }
    window.addEventListener("online", whenBack);
    retry();
  }

  function register() {
    navigator.serviceWorker.register(worker, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (document.documentElement.dataset.offlineSaved) return; // nothing new to fetch
      // This page (the first one was loaded before the worker ran), the event's schedule
      // and the agenda; the worker keeps what they load too.
      registration.active.postMessage({ keep: [location.pathname + location.search].concat(keep) });
    }).catch(function () { /* no offline copies in this browser; the page works as ever */ });
  }

  document.addEventListener("DOMContentLoaded", note);
  // Not at once: a few seconds after the page has loaded, when the browser is idle, so
  // that the worker and the copies it fetches do not compete with the page's own last
  // requests or the visitor's next tap on a slow network (issue 17).
  window.addEventListener("load", function () {
    setTimeout(function () {
      if (window.requestIdleCallback) window.requestIdleCallback(register, { timeout: 2000 });
      else register();
    }, 2000);
  });
})();
