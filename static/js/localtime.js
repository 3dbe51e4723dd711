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
    // The grid's corner names the zone of its time column.
    root.querySelectorAll("table").forEach(function (table) {
      var corner = table.querySelector("thead .grid-time");
      var first = table.querySelector("tbody time[datetime]");
      var date = first && instant(first.getAttribute("datetime"));
      if (corner && date) set(corner, abbr(date, zone), remember(corner));
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
