/* Built by scripts/build_bundles.py from js/localtime.js, js/offline.js, js/lineup.js. */
// Times in the visitor's own zone, on request. Pages are rendered in the event's zone,
// the same bytes for everybody (so shared caches may keep them); the instants are in the
// markup (<time datetime>, data-starts/data-ends), and this file rewrites the text in
// the browser when the visitor picks "My zone". The choice is kept in localStorage.
// Without JavaScript nothing changes: the event's times, with its zone named.
(function () {
  "use strict";

  var KEY = "lineup.timezone"; // "" (the event's), "auto" (detected), or an IANA name
  var lang = document.documentElement.lang || "en";
  var formats = {};

  function detected() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { return "UTC"; }
  }

  function stored() {
    try { return localStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  function store(value) {
    try { localStorage.setItem(KEY, value); } catch (e) { /* private mode: this page only */ }
  }

  function valid(zone) {
    try { new Intl.DateTimeFormat("en", { timeZone: zone }); return true; } catch (e) { return false; }
  }

  function fmt(zone, options) {
    var key = zone + JSON.stringify(options);
    if (!formats[key]) {
      formats[key] = new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, options));
    }
    return formats[key];
  }

  // "9:00am" as the server writes English clocks; "09:00" where the language counts 24 hours.
  function clock(date, zone) {
    var text = fmt(zone, { hour: "numeric", minute: "2-digit" }).format(date);
    var ampm = /^(\d{1,2}:\d\d)\s*([ap])\.?\s*m\.?$/i.exec(text);
    return ampm ? ampm[1] + ampm[2].toLowerCase() + "m" : text;
  }

  function abbr(date, zone) {
    var parts = fmt(zone, { timeZoneName: "short" }).formatToParts(date);
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].type === "timeZoneName") return parts[i].value;
    }
    return zone;
  }

  function ymd(date, zone) {
    return fmt(zone, { year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
  }

  function weekday(date, zone) {
    return fmt(zone, { weekday: "short" }).format(date);
  }

  function longDate(date, zone) {
    return fmt(zone, { weekday: "long", year: "numeric", month: "long", day: "numeric" }).format(date);
  }

  // A clock, with its weekday when the day is not the event's day of that moment.
  function clockOn(date, zone, eventZone) {
    var day = ymd(date, zone) !== ymd(date, eventZone) ? weekday(date, zone) + " " : "";
    return day + clock(date, zone);
  }

  function span(start, end, zone) {
    var head = longDate(start, zone) + " " + clock(start, zone);
    if (ymd(start, zone) !== ymd(end, zone)) {
      return head + " – " + longDate(end, zone) + " " + clock(end, zone) + " " + abbr(end, zone);
    }
    return head + " – " + clock(end, zone) + " " + abbr(end, zone);
  }

  function remember(el) {
    if (el.dataset.eventText === undefined) el.dataset.eventText = el.textContent;
    return el.dataset.eventText;
  }

  function restore(root) {
    root.querySelectorAll("[data-event-text]").forEach(function (el) {
      el.textContent = el.dataset.eventText;
      el.removeAttribute("data-event-text");
      el.removeAttribute("title");
    });
  }

  function set(el, text, original) {
    el.textContent = text;
    el.title = original; // the event's own time, on hover
  }

  function instant(value) {
    var date = value ? new Date(value) : null;
    return date && !isNaN(date) ? date : null;
  }

  // Rewrite every time under root into zone (or back to the event's, for "").
  function apply(root, zone, eventZone) {
    restore(root);
    if (!zone) return;
    root.querySelectorAll("time[datetime]").forEach(function (el) {
      var value = el.getAttribute("datetime");
      var date = value.indexOf("T") > 0 ? instant(value) : null;
      if (!date) return; // a day, not a moment: days stay the event's
      var original = remember(el);
      var ends = instant(el.dataset.ends);
      if (ends) set(el, span(date, ends, zone), original);
      else if (/\s/.test(original.trim())) set(el, clockOn(date, zone, eventZone) + " " + abbr(date, zone), original);
      else set(el, clock(date, zone), original);
    });
    // Ranges written as text: "9:00am – 9:40am" (list rows, grid cells).
    root.querySelectorAll(".meta-time, .grid-when").forEach(function (el) {
      if (el.querySelector("time")) return;
      var from = el.closest("[data-starts]"), to = el.closest("[data-ends]");
      var start = from && instant(from.dataset.starts), end = to && instant(to.dataset.ends);
      if (!start || !end) return;
      set(el, clock(start, zone) + " – " + clock(end, zone), remember(el));
    });
    // The grid's corner names the zone of its time column; its unlabelled rows (read
    // aloud only) are at start + n steps.
    root.querySelectorAll("table").forEach(function (table) {
      var corner = table.querySelector("thead .grid-time");
      var first = table.querySelector("tbody time[datetime]");
      var date = first && instant(first.getAttribute("datetime"));
      if (corner && date) set(corner, abbr(date, zone), remember(corner));
      var start = instant(table.dataset.start), step = Number(table.dataset.step);
      if (!start || !step) return;
      table.querySelectorAll("tbody > tr").forEach(function (row, n) {
        var hidden = row.querySelector("th.grid-time > .visually-hidden");
        if (!hidden) return;
        remember(hidden);
        hidden.textContent = clock(new Date(start.getTime() + n * step * 60000), zone);
      });
    });
  }

  function setup() {
    var box = document.querySelector("[data-time-switch]");
    if (!box) return;
    var eventZone = box.dataset.eventZone;
    if (!document.querySelector("time[datetime*='T']") || !valid(eventZone)) {
      box.hidden = true; // its kept place (data-reserve) is not needed after all
      return;
    }
    var choice = stored();
    var now = new Date();
    var note = document.querySelector("[data-time-note]");

    var label = document.createElement("span");
    label.className = "time-switch-label";
    label.textContent = box.dataset.label + ":";
    var eventButton = button(box.dataset.eventLabel + " (" + abbr(now, eventZone) + ")");
    var mineButton = button("");
    var picker = document.createElement("select");
    picker.className = "form-select form-select-sm time-switch-zone";
    picker.setAttribute("aria-label", box.dataset.pickLabel);
    box.append(label, eventButton, mineButton, picker);
    box.hidden = false;

    function button(text) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-sm btn-outline-secondary";
      b.textContent = text;
      return b;
    }

    function zoneNow() {
      if (!choice) return "";
      return choice === "auto" || !valid(choice) ? detected() : choice;
    }

    function fillPicker(zone) {
      if (!picker.options.length) {
        var names = Intl.supportedValuesOf ? Intl.supportedValuesOf("timeZone") : [];
        [detected(), eventZone].concat(names).forEach(function (name) {
          if (picker.querySelector("option[value='" + name + "']")) return;
          var option = document.createElement("option");
          option.value = option.textContent = name;
          picker.appendChild(option);
        });
      }
      if (!picker.querySelector("option[value='" + zone + "']")) {
        var extra = document.createElement("option");
        extra.value = extra.textContent = zone;
        picker.appendChild(extra);
      }
      picker.value = zone;
    }

    function show() {
      var zone = zoneNow();
      mineButton.textContent = box.dataset.mineLabel + " (" + abbr(now, zone || detected()) + ")";
      eventButton.setAttribute("aria-pressed", String(!zone));
      mineButton.setAttribute("aria-pressed", String(!!zone));
      picker.hidden = !zone;
      if (zone) fillPicker(zone);
      if (note) {
        remember(note);
        if (zone) note.textContent = box.dataset.note.replace("{mine}", zone);
        else restore(note.parentNode);
      }
      document.documentElement.dataset.timezone = zone || eventZone;
      apply(document.querySelector("main") || document.body, zone, eventZone);
    }

    eventButton.addEventListener("click", function () { choice = ""; store(choice); show(); });
    mineButton.addEventListener("click", function () { choice = choice || "auto"; store(choice); show(); });
    picker.addEventListener("change", function () {
      choice = picker.value === detected() ? "auto" : picker.value;
      store(choice);
      show();
    });
    // Results replaced by a filter (htmx) come in the event's zone: convert them too.
    document.addEventListener("htmx:afterSettle", function (e) {
      apply(e.target, zoneNow(), eventZone);
    });
    show();
  }

  // A visitor who chose their zone gets it before the page is shown, as far as a deferred
  // script can; for everybody else the switch is built once the page has loaded: the
  // first use of time zones (Intl's zone data) costs a phone about a tenth of a second.
  document.addEventListener("DOMContentLoaded", function () {
    if (stored()) setup();
    else window.addEventListener("load", function () { setTimeout(setup, 0); });
  });
})();
;
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
;
// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // htmx drives the live filters and the speaker search, forms that work without it (a
  // plain GET). It is fetched once the page has loaded, not before (issue 17: a phone
  // spent a fifth of its load on it); a change made before it arrives is sent then.
  var script = document.currentScript;
  var pending = null;

  function liveForm(target) {
    return target && target.closest ? target.closest("form[hx-get]") : null;
  }

  function loadHtmx() {
    var src = script && script.dataset.htmx;
    if (!src || window.htmx || !document.querySelector("form[hx-get]")) return;
    var tag = document.createElement("script");
    tag.src = src;
    tag.onload = function () {
      if (pending && window.htmx) window.htmx.trigger(pending, "change");
      pending = null;
    };
    document.head.appendChild(tag);
  }

  ["change", "input"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      if (!window.htmx) pending = liveForm(event.target) || pending;
    });
  });
  // htmx starts itself on DOMContentLoaded or at once on a loaded page: after "load".
  window.addEventListener("load", function () { setTimeout(loadHtmx, 0); });

  // During the event: mark what is on now (a line across the grid) and offer jumps
  // to "now" and "next". Runs again every minute and after each filter change.
  function jumpButton(label, target) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-primary";
    button.textContent = label;
    button.addEventListener("click", function () {
      target.scrollIntoView({ block: "start", inline: "nearest" });
    });
    return button;
  }

  function nowNext() {
    var holder = document.querySelector("[data-now-next]");
    if (!holder) return;
    holder.textContent = "";
    var now = Date.now();
    var current = null, next = null;
    document.querySelectorAll(".time-slot[data-starts]").forEach(function (slot) {
      var start = Date.parse(slot.dataset.starts);
      slot.querySelectorAll(".session[data-ends]").forEach(function (el) {
        var on = start <= now && now < Date.parse(el.dataset.ends);
        el.classList.toggle("is-now", on);
        if (on && !current) current = slot;
      });
      if (start > now && !next) next = slot;
    });
    document.querySelectorAll(".schedule-grid[data-start]").forEach(function (table) {
      var rows = table.tBodies[0].rows;
      var n = Math.floor((now - Date.parse(table.dataset.start)) / (table.dataset.step * 60000));
      for (var i = 0; i < rows.length; i++) rows[i].classList.toggle("is-now", i === n);
      if (n >= 0 && n < rows.length && !current) current = rows[n].cells[0];
    });
    // The words come from the page, in the visitor's language.
    [[holder.dataset.now || "Jump to now", current], [holder.dataset.next || "Next", next]].forEach(function (pair) {
      if (pair[1]) holder.appendChild(jumpButton(pair[0], pair[1]));
    });
  }

  // My agenda: copy buttons for the subscription links, and a print button.
  function agendaTools() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.dataset.copy);
        if (!field) return;
        field.select();
        var done = function () { button.textContent = button.dataset.copied || "Copied"; };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            document.execCommand("copy"); done();
          });
        } else { document.execCommand("copy"); done(); }
      });
    });
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // "N changes since your last visit": the visitor's own fragment, into a shared page.
  function changesBanner() {
    var holder = document.querySelector("[data-changes-banner]");
    if (!holder || !window.fetch) return;
    var next = window.location.pathname + window.location.search;
    fetch(holder.dataset.changesBanner + "?next=" + encodeURIComponent(next), { credentials: "same-origin" })
      .then(function (response) { return response.status === 200 ? response.text() : ""; })
      .then(function (html) { if (html) holder.innerHTML = html; })
      .catch(function () { /* no banner is fine */ });
  }

  // Stars: one listener for every star button of the page, those a filter brings in too.
  // The button posts to its own URL and is replaced by the answer (the other state); a
  // refusal (a full agenda) or a lost connection leaves it as it was. Without JavaScript
  // the button submits the page's star form and the page comes back.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".btn-star[formaction]");
    if (!button || !window.fetch) return;
    event.preventDefault();
    if (button.getAttribute("aria-busy")) return;
    button.setAttribute("aria-busy", "true");
    fetch(button.formAction, { method: "POST", credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var fresh = holder.content.firstElementChild;
        if (!fresh || !fresh.classList.contains("btn-star")) throw new Error("no button");
        var focused = document.activeElement === button;
        button.replaceWith(fresh);
        if (focused) fresh.focus();
      })
      .catch(function () { /* unchanged: the visitor may try again */ })
      .finally(function () { button.removeAttribute("aria-busy"); });
  });

  document.addEventListener("DOMContentLoaded", nowNext);
  document.addEventListener("DOMContentLoaded", changesBanner);
  setInterval(nowNext, 60000);
  document.addEventListener("DOMContentLoaded", agendaTools);
  document.addEventListener("htmx:afterSettle", nowNext);
})();
;
