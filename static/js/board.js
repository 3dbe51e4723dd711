// The organizers' schedule board (admin). Draws one day of an event: rooms as columns,
// time as rows, an unscheduled tray beside it. Every change is sent to the server, which
// applies the scheduling rules and answers with the session's new state (or refuses it,
// and the card goes back). No inline script or style: positions are set through CSSOM.
(function () {
  "use strict";

  var root = document.getElementById("board");
  if (!root) return;

  var PPM = 2; // pixels per minute
  var TIME_W = 64; // width of the time column
  var MIN_COL = 168; // a room column never gets narrower than this
  var POLL_MS = 4000;
  var UNDO_MAX = 50;

  var state = JSON.parse(document.getElementById("board-state").textContent);
  var byId = {};
  var ui = {
    day: null, step: 15, undo: [], selected: null, pending: null, drag: null,
    dirty: false, dayStart: 480, dayEnd: 1200, colW: MIN_COL
  };

  // Words in the organizer's language, from Django's JavaScript catalogue (admin:jsi18n,
  // loaded before this file); as written here if it is missing.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var pgettext = window.pgettext || function (c, s) { return s; };
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, name) { return String(values[name]); });
  }
  var STATUS = {
    draft: pgettext("session status", "draft"),
    published: pgettext("session status", "published"),
    cancelled: pgettext("session status", "cancelled")
  };

  var el = function (sel, scope) { return (scope || root).querySelector(sel); };
  var canvas = el("#board-canvas");
  var scroller = el("#board-scroll");
  var statusLine = el("#board-status");
  var form = el("#board-form");
  var editor = el("#board-editor");

  function make(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function csrf() {
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function index() {
    byId = {};
    state.sessions.forEach(function (s) { byId[s.id] = s; });
  }

  function lookup(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }

  function hhmm(minutes) {
    var m = ((minutes % 1440) + 1440) % 1440;
    var h = Math.floor(m / 60), mm = m % 60;
    return (h < 10 ? "0" : "") + h + ":" + (mm < 10 ? "0" : "") + mm;
  }

  function dayLabel(date) {
    var d = state.event.days.filter(function (x) { return x.date === date; })[0];
    return d ? d.label : date;
  }

  function roomName(id) {
    var r = lookup(state.rooms, id);
    return r ? r.name : gettext("all rooms");
  }

  function where(p) {
    if (!p || !p.day) return gettext("the unscheduled tray");
    return dayLabel(p.day) + " " + hhmm(p.start) + "–" + hhmm(p.start + p.duration) +
      ", " + roomName(p.room);
  }

  function say(text) { statusLine.textContent = text; }

  function placementOf(s) {
    return { room: s.room, day: s.day, start: s.start, duration: s.duration, fold: s.fold || 0 };
  }

  function isEventDay(date) {
    return state.event.days.some(function (d) { return d.date === date; });
  }

  function isBreak(s) {
    var t = lookup(state.types, s.type);
    return !!(t && t.is_break);
  }

  function speakerIds(s) { return s.speakers.map(function (p) { return p[0]; }); }

  function sharesSpeaker(a, b) {
    var ids = speakerIds(a);
    return b.speakers.some(function (p) { return ids.indexOf(p[0]) >= 0; });
  }

  // Days and time range -----------------------------------------------------------

  function chooseDay() {
    var days = state.event.days.map(function (d) { return d.date; });
    var saved = sessionStorage.getItem("board-day-" + state.event.id);
    if (days.indexOf(ui.day) >= 0) return;
    ui.day = days.indexOf(saved) >= 0 ? saved : days[0];
  }

  function timeRange() {
    var lo = 8 * 60, hi = 20 * 60;
    state.sessions.forEach(function (s) {
      if (s.day !== ui.day) return;
      lo = Math.min(lo, Math.floor(s.start / 60) * 60);
      hi = Math.max(hi, Math.ceil((s.start + s.duration) / 60) * 60);
    });
    ui.dayStart = Math.max(0, lo);
    ui.dayEnd = Math.min(Math.max(hi, ui.dayStart + 60), 48 * 60);
  }

  function drawDays() {
    var holder = el(".board-days");
    holder.textContent = "";
    state.event.days.forEach(function (d) {
      var tab = make("button", "board-day", d.label);
      tab.type = "button";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-selected", d.date === ui.day ? "true" : "false");
      var count = state.sessions.filter(function (s) { return s.day === d.date; }).length;
      tab.appendChild(make("span", "board-day-count", String(count)));
      tab.setAttribute("aria-label", d.label + ", " + count + " sessions");
      tab.addEventListener("click", function () {
        ui.day = d.date;
        sessionStorage.setItem("board-day-" + state.event.id, d.date);
        cancelPending();
        render();
      });
      holder.appendChild(tab);
    });
    var today = lookup(state.event.days.map(function (d) { return { id: d.date, zone: d.zone }; }), ui.day);
    el("[data-zone-abbr]").textContent = today && today.zone ? " (" + today.zone + ")" : "";
  }

  // The grid ------------------------------------------------------------------------

  function cardFor(s, extra) {
    var card = make("div", "board-card status-" + s.status + (s.drafted ? " is-drafted" : "") + (extra || ""));
    card.dataset.id = s.id;
    card.tabIndex = 0;
    card.setAttribute("role", "button");
    var track = lookup(state.tracks, s.track);
    if (track) card.style.setProperty("--track", track.color);
    var type = lookup(state.types, s.type);
    card.appendChild(make("strong", "board-card-title", s.title));
    var names = s.speakers.map(function (p) { return p[2] === "moderator" ? fmt(gettext("%(name)s (mod.)"), { name: p[1] }) : p[1]; });
    if (names.length) card.appendChild(make("span", "board-card-people", names.join(", ")));
    var meta = make("span", "board-card-meta");
    if (s.day && !isEventDay(s.day)) meta.appendChild(make("span", "board-outside", fmt(gettext("%(day)s, outside the event's days"), { day: s.day })));
    else if (s.day) meta.appendChild(make("span", null, hhmm(s.start) + "–" + hhmm(s.start + s.duration)));
    else if (s.duration) meta.appendChild(make("span", null, fmt(gettext("%(minutes)s min"), { minutes: s.duration })));
    if (type) meta.appendChild(make("span", null, type.name));
    if (s.status !== "published") meta.appendChild(make("span", "board-badge", STATUS[s.status] || s.status));
    var room = lookup(state.rooms, s.room);
    var over = !!(room && room.capacity !== null && s.stars > room.capacity);
    var stars = make("span", "board-stars" + (over ? " is-over" : ""), "★ " + s.stars);
    stars.title = over
      ? fmt(ngettext("%(count)s star, but %(room)s holds %(capacity)s", "%(count)s stars, but %(room)s holds %(capacity)s", s.stars), { count: s.stars, room: room.name, capacity: room.capacity })
      : fmt(ngettext("%(count)s attendee starred this session", "%(count)s attendees starred this session", s.stars), { count: s.stars });
    meta.appendChild(stars);
    card.appendChild(meta);
    if (over) card.classList.add("is-over");
    var label = s.title + ". " + (names.length ? fmt(gettext("With %(names)s."), { names: names.join(", ") }) + " " : "") +
      (s.day ? where(placementOf(s)) : gettext("Unscheduled")) + ". " + (STATUS[s.status] || s.status) +
      (track ? ", " + track.name : "") + ", " + fmt(ngettext("%(count)s star", "%(count)s stars", s.stars), { count: s.stars }) +
      (over ? ", " + gettext("more than the room holds") : "") + ".";
    card.setAttribute("aria-label", label);
    card.title = label;
    return card;
  }

  function place(node, start, duration) {
    node.style.top = (start - ui.dayStart) * PPM + "px";
    node.style.height = Math.max(duration * PPM - 2, 14) + "px";
  }

  function drawGrid() {
    canvas.textContent = "";
    var rooms = state.rooms;
    var avail = scroller.clientWidth - TIME_W - 2;
    ui.colW = Math.max(MIN_COL, rooms.length ? Math.floor(avail / rooms.length) : MIN_COL);
    var height = (ui.dayEnd - ui.dayStart) * PPM;
    canvas.style.width = TIME_W + rooms.length * ui.colW + "px";
    canvas.style.setProperty("--col-w", ui.colW + "px");
    canvas.style.setProperty("--hour", 60 * PPM + "px");

    var head = make("div", "board-head");
    var corner = make("div", "board-corner", "");
    head.appendChild(corner);
    rooms.forEach(function (r) {
      var h = make("div", "board-room");
      h.dataset.room = r.id;
      h.appendChild(make("span", "board-room-name", r.name));
      h.appendChild(make("span", "board-room-cap", r.capacity !== null ? fmt(gettext("seats %(count)s"), { count: r.capacity }) : gettext("no capacity set")));
      head.appendChild(h);
    });
    canvas.appendChild(head);

    var body = make("div", "board-body");
    body.style.height = height + "px";
    var times = make("div", "board-times");
    for (var m = ui.dayStart; m < ui.dayEnd; m += 30) {
      var t = make("span", m % 60 ? "board-time is-half" : "board-time", hhmm(m));
      t.style.top = (m - ui.dayStart) * PPM + "px";
      times.appendChild(t);
    }
    body.appendChild(times);
    var cols = {};
    rooms.forEach(function (r) {
      var col = make("div", "board-col");
      col.dataset.room = r.id;
      col.setAttribute("aria-label", r.name);
      cols[r.id] = col;
      body.appendChild(col);
    });
    var spanLayer = make("div", "board-span-layer");
    body.appendChild(spanLayer);
    state.sessions.forEach(function (s) {
      if (s.day !== ui.day) return;
      var card = cardFor(s, s.room === null ? " is-span" : "");
      place(card, s.start, s.duration);
      var grip = make("span", "board-resize");
      grip.setAttribute("aria-hidden", "true");
      card.appendChild(grip);
      if (s.room === null || !cols[s.room]) spanLayer.appendChild(card);
      else cols[s.room].appendChild(card);
    });
    canvas.appendChild(body);
  }

  // The tray ------------------------------------------------------------------------

  function fillChoices() {
    [["#tray-track", state.tracks], ["#tray-type", state.types]].forEach(function (pair) {
      var select = el(pair[0]);
      var keep = select.value;
      while (select.options.length > 1) select.remove(1);
      pair[1].forEach(function (x) { select.add(new Option(x.name, x.id)); });
      select.value = keep;
    });
    var roomSelect = form.elements.room;
    roomSelect.textContent = "";
    state.rooms.forEach(function (r) {
      roomSelect.add(new Option(r.name + (r.capacity !== null ? " (" + r.capacity + ")" : ""), r.id));
    });
    roomSelect.add(new Option(gettext("All rooms (break, plenary)"), ""));
    var daySelect = form.elements.day;
    daySelect.textContent = "";
    state.event.days.forEach(function (d) { daySelect.add(new Option(d.label, d.date)); });
  }

  function drawTray() {
    var q = el("#tray-q").value.trim().toLowerCase();
    var track = el("#tray-track").value, type = el("#tray-type").value;
    var status = el("#tray-status").value, sort = el("#tray-sort").value;
    var items = state.sessions.filter(function (s) {
      if (s.day && isEventDay(s.day)) return false;
      if (track && String(s.track) !== track) return false;
      if (type && String(s.type) !== type) return false;
      if (status && s.status !== status) return false;
      if (!q) return true;
      var text = (s.title + " " + s.speakers.map(function (p) { return p[1]; }).join(" ")).toLowerCase();
      return q.split(/\s+/).every(function (w) { return text.indexOf(w) >= 0; });
    });
    var trackPos = {};
    state.tracks.forEach(function (t, i) { trackPos[t.id] = i; });
    var keys = {
      title: function (s) { return [0, s.title.toLowerCase()]; },
      duration: function (s) { return [-(s.duration || 0), s.title.toLowerCase()]; },
      track: function (s) { return [s.track === null ? 1e9 : trackPos[s.track], s.title.toLowerCase()]; },
      stars: function (s) { return [-s.stars, s.title.toLowerCase()]; }
    };
    items.sort(function (a, b) {
      var ka = keys[sort](a), kb = keys[sort](b);
      if (ka[0] !== kb[0]) return ka[0] < kb[0] ? -1 : 1;
      return ka[1].localeCompare(kb[1], undefined, { numeric: true }); // "Talk 2" before "Talk 10"
    });
    var list = el("#board-tray-list");
    list.textContent = "";
    items.forEach(function (s) {
      var li = make("li");
      li.appendChild(cardFor(s, " in-tray"));
      list.appendChild(li);
    });
    var all = state.sessions.filter(function (s) { return !s.day || !isEventDay(s.day); }).length;
    el("[data-tray-count]").textContent = "(" + (items.length === all ? all : fmt(gettext("%(shown)s of %(all)s"), { shown: items.length, all: all })) + ")";
  }

  // Clashes -------------------------------------------------------------------------

  function drawClashes() {
    var list = el("#board-clash-list");
    list.textContent = "";
    var mine = state.clashes.filter(function (c) {
      var a = byId[c.sessions[0]];
      return a && a.day === ui.day;
    });
    el("[data-clash-count]").textContent = "(" + mine.length + ")";
    if (!mine.length) {
      list.appendChild(make("li", "board-none", gettext("No room or speaker is booked twice.")));
      return;
    }
    mine.forEach(function (c) {
      var a = byId[c.sessions[0]], b = byId[c.sessions[1]];
      var li = make("li");
      li.appendChild(make("span", "board-clash-kind",
        (c.kind === "room" ? fmt(gettext("Room %(room)s:"), { room: roomName(c.what) })
          : fmt(gettext("%(name)s speaks twice:"), { name: c.name })) + " "));
      [a, b].forEach(function (s, i) {
        var link = make("a", null, s.title);
        link.href = "#";
        link.addEventListener("click", function (e) { e.preventDefault(); focusCard(s.id); });
        li.appendChild(link);
        if (!i) li.appendChild(document.createTextNode(" ↔ "));
      });
      list.appendChild(li);
    });
  }

  function focusCard(id) {
    var card = root.querySelector('.board-card[data-id="' + id + '"]');
    if (card) { card.scrollIntoView({ block: "center", inline: "center" }); card.focus(); }
  }

  // Rendering -----------------------------------------------------------------------

  function render() {
    var focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.id : null;
    index();
    chooseDay();
    timeRange();
    drawDays();
    drawGrid();
    drawTray();
    drawClashes();
    highlight();
    drawPreview();
    if (focused && !ui.drag) {
      var again = root.querySelector('.board-card[data-id="' + focused + '"]');
      if (again) again.focus({ preventScroll: true });
    }
    el("#board-undo").disabled = !ui.undo.length;
    el("#board-undo").textContent = ui.undo.length ? fmt(gettext("Undo (%(count)s)"), { count: ui.undo.length }) : gettext("Undo");
  }

  // While a session is picked up: who shares its speakers, which rooms are too small.
  function highlight() {
    var s = ui.pending ? byId[ui.pending.id] : ui.drag ? byId[ui.drag.id] : null;
    root.querySelectorAll(".board-card").forEach(function (card) {
      var other = byId[card.dataset.id];
      card.classList.toggle("is-related", !!(s && other && other.id !== s.id && sharesSpeaker(s, other)));
      card.classList.toggle("is-picked", !!(s && other && other.id === s.id));
    });
    root.querySelectorAll(".board-room").forEach(function (h) {
      var r = lookup(state.rooms, Number(h.dataset.room));
      h.classList.toggle("is-small", !!(s && r && r.capacity !== null && s.stars > r.capacity));
    });
  }

  function freeRoomsFor(s, p) {
    return state.rooms.filter(function (r) {
      if (r.capacity === null || r.capacity < s.stars || r.id === p.room) return false;
      return !state.sessions.some(function (o) {
        return o.id !== s.id && o.room === r.id && o.day === p.day && o.status !== "cancelled" &&
          o.start < p.start + p.duration && p.start < o.start + o.duration;
      });
    });
  }

  // The preview of a pending (keyboard or form) placement.
  function drawPreview() {
    var old = root.querySelector(".board-preview");
    if (old) old.remove();
    var p = ui.pending || (ui.drag && ui.drag.target);
    if (!p || !p.day || p.day !== ui.day) return;
    var box = make("div", "board-preview", hhmm(p.start) + "–" + hhmm(p.start + p.duration));
    place(box, p.start, p.duration);
    var body = root.querySelector(".board-body");
    var col = p.room === null ? root.querySelector(".board-span-layer")
      : root.querySelector('.board-col[data-room="' + p.room + '"]');
    (col || body).appendChild(box);
    if (ui.pending) box.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // Talking to the server -------------------------------------------------------------

  // One request at a time, in order: a poll never overtakes a move. aria-busy says when
  // the board is waiting for the server (tests wait on it too).
  var queue = Promise.resolve(), inFlight = 0;
  function serial(task) {
    inFlight += 1;
    root.setAttribute("aria-busy", "true");
    var run = queue.then(task);
    queue = run.catch(function () {}).then(function () {
      inFlight -= 1;
      if (!inFlight) root.removeAttribute("aria-busy");
    });
    return run;
  }

  function send(url, payload) {
    return serial(function () {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(payload)
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.redirected || !json) {
          return { ok: false, status: response.status, body: { error:
            gettext("You have been signed out (or the server answered oddly): nothing was saved. Reload the page.") } };
        }
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      }, function () {
        return { ok: false, status: 0, body: { error: gettext("The server could not be reached; nothing was saved.") } };
      });
    });
  }

  // A saved change answers with the changed rows only, without speakers and stars (a
  // move leaves them as they were): keep the board's own, or none for a new copy.
  function merge(sessions) {
    (sessions || []).forEach(function (fresh) {
      var at = state.sessions.findIndex(function (s) { return s.id === fresh.id; });
      var old = at >= 0 ? state.sessions[at] : { speakers: [], stars: 0 };
      if (!("speakers" in fresh)) fresh.speakers = old.speakers;
      if (!("stars" in fresh)) fresh.stars = old.stars;
      if (at >= 0) state.sessions[at] = fresh; else state.sessions.push(fresh);
    });
    index();
  }

  function showRefusal(id, message) {
    render();
    say(message);
    var card = root.querySelector('.board-card[data-id="' + id + '"]');
    var note = make("div", "board-refusal", message);
    note.setAttribute("role", "alert");
    var close = make("button", "board-refusal-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", function () { note.remove(); });
    note.appendChild(close);
    if (card) {
      card.classList.add("is-refused");
      card.after(note);
      note.style.top = card.offsetTop + card.offsetHeight + 4 + "px";
    } else {
      statusLine.after(note);
    }
    if (editor && !editor.hidden) el("[data-editor-error]").textContent = message;
    window.setTimeout(function () { note.remove(); }, 12000);
  }

  // Move a session to placement p (p.day null: back to the tray). ``version`` is the one
  // the organizer saw when they picked the session up: a change made meanwhile by someone
  // else is then refused (409), never silently overwritten. Resolves to true if saved.
  function move(id, p, version, options) {
    var s = byId[id];
    if (!s) return Promise.resolve(false);
    var before = placementOf(s);
    var sameStart = p.day === s.day && p.start === s.start;
    var payload = { session: id, version: version, room: p.day ? p.room : null, day: p.day || null,
      start: p.day ? p.start : null, duration: p.day ? p.duration : null,
      fold: p.day && sameStart ? (s.fold || 0) : 0 };
    say(gettext("Saving…"));
    return send(root.dataset.moveUrl, payload).then(function (answer) {
      merge(answer.body.sessions);
      state.fingerprint = null; // fetch the clash report anew
      if (!answer.ok) {
        showRefusal(id, answer.body.error || gettext("The change was refused."));
        return false;
      }
      var now = byId[id];
      if (!(options && options.undo)) {
        ui.undo.push({ id: id, before: before, v: now.v });
        if (ui.undo.length > UNDO_MAX) ui.undo.shift();
      }
      render();
      say(fmt(options && options.undo ? gettext("Undone: “%(title)s” is now in %(place)s.")
        : gettext("Saved: “%(title)s” is now in %(place)s."), { title: now.title, place: where(placementOf(now)) }));
      refresh();
      return true;
    });
  }

  // Undo the last move, based on the version that move produced: if someone else has
  // changed the session since, the server refuses and the entry is dropped.
  function undo() {
    var last = ui.undo.pop();
    if (!last) return;
    if (last.copies) { uncopy(last); return; }
    if (last.status) { setStatus(last.id, last.status, last.v, { undo: true }); return; }
    move(last.id, last.before, last.v, { undo: true });
  }

  // Undo a copy to all rooms: the server removes the copies if none changed meanwhile.
  function uncopy(last) {
    var copies = last.copies.map(function (c) { return { session: c.id, version: c.v }; });
    send(root.dataset.uncopyUrl, { copies: copies }).then(function (answer) {
      merge(answer.body.sessions);
      if (!answer.ok) { showRefusal(last.id, answer.body.error || gettext("The undo was refused.")); return; }
      var gone = {};
      (answer.body.removed || []).forEach(function (id) { gone[id] = true; });
      state.sessions = state.sessions.filter(function (s) { return !gone[s.id]; });
      index();
      render();
      say(fmt(gettext("Undone: the copies of “%(title)s” were removed."), { title: (byId[last.id] || {}).title }));
      refresh();
    });
  }

  // In draft mode: cancel a published session, or put a cancelled one back on. Kept in
  // the draft like a move (the preview shows it; publishing makes it public).
  function setStatus(id, status, version, options) {
    var s = byId[id];
    if (!s) return;
    var before = s.status;
    say(gettext("Saving…"));
    send(root.dataset.statusUrl, { session: id, version: version, status: status }).then(function (answer) {
      merge(answer.body.sessions);
      state.fingerprint = null;
      if (!answer.ok) { showRefusal(id, answer.body.error || gettext("The change was refused.")); return; }
      var now = byId[id];
      if (!(options && options.undo)) {
        ui.undo.push({ id: id, status: before, v: now.v });
        if (ui.undo.length > UNDO_MAX) ui.undo.shift();
      }
      render();
      focusCard(id);
      say(fmt(status === "cancelled" ? gettext("“%(title)s” is cancelled in the draft.")
        : gettext("“%(title)s” is back on in the draft."), { title: now.title }));
      refresh();
    });
  }

  function copyToRooms(id, version) {
    var s = byId[id];
    send(root.dataset.copyUrl, { session: id, version: version }).then(function (answer) {
      merge(answer.body.sessions);
      if (!answer.ok) { showRefusal(id, answer.body.error || gettext("The copy was refused.")); return; }
      ui.undo.push({ id: id, copies: (answer.body.sessions || []).map(function (c) { return { id: c.id, v: c.v }; }) });
      if (ui.undo.length > UNDO_MAX) ui.undo.shift();
      cancelPending();
      render();
      var copied = (answer.body.sessions || []).length;
      say(fmt(ngettext("“%(title)s” copied to %(count)s more room.", "“%(title)s” copied to %(count)s more rooms.", copied), { title: s.title, count: copied }));
      refresh();
    });
  }

  var polling = null;
  function refresh() {
    return serial(function () {
      var url = root.dataset.dataUrl + (state.fingerprint ? "?since=" + encodeURIComponent(state.fingerprint) : "");
      return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
        if (r.status !== 200) return;
        return r.json().then(function (fresh) {
          state = fresh;
          if (ui.drag || ui.pending) { ui.dirty = true; index(); return; }
          fillChoices();
          render();
        });
      }).catch(function () { /* offline for a moment: the next poll tries again */ });
    });
  }

  function startPolling() {
    if (polling) return;
    polling = window.setInterval(function () {
      if (!document.hidden && !inFlight) refresh();
    }, POLL_MS);
  }

  // Picking up with the keyboard or the form --------------------------------------------

  function defaultPlacement(s) {
    if (s.day) return placementOf(s);
    return { room: state.rooms.length ? state.rooms[0].id : null, day: ui.day,
      start: Math.max(ui.dayStart, 9 * 60), duration: s.duration || 30 };
  }

  function pick(id) {
    var s = byId[id];
    if (!s) return;
    ui.pending = Object.assign({ id: id, v: s.v }, defaultPlacement(s));
    editor.hidden = false;
    el("[data-editor-title]").textContent = s.title;
    el("[data-editor-error]").textContent = "";
    var link = el("[data-editor-link]");
    link.href = root.dataset.sessionUrl.replace("/0/", "/" + id + "/");
    el("[data-action=copy]", form).hidden = !(isBreak(s) && s.room !== null && s.day);
    el("[data-action=unschedule]", form).hidden = !s.day;
    el("[data-action=span]", form).hidden = !isBreak(s);
    el("[data-action=cancel-session]", form).hidden = !(state.draft && s.status === "published");
    el("[data-action=restore]", form).hidden = !(state.draft && s.status === "cancelled");
    syncForm();
    render();
    say(fmt(gettext("Picked up “%(title)s”. Arrows move it, Shift+arrows change its length, Enter saves, Escape cancels."), { title: s.title }));
  }

  function syncForm() {
    var p = ui.pending;
    if (!p) return;
    form.elements.room.value = p.room === null ? "" : String(p.room);
    form.elements.day.value = p.day;
    form.elements.start.value = hhmm(p.start);
    form.elements.duration.value = p.duration;
    form.elements.start.step = ui.step * 60;
    form.elements.duration.step = ui.step;
    var s = byId[p.id];
    var room = lookup(state.rooms, p.room);
    var demand = el("[data-editor-demand]");
    demand.textContent = "★ " + fmt(ngettext("%(count)s star", "%(count)s stars", s.stars), { count: s.stars });
    if (room && room.capacity !== null && s.stars > room.capacity) {
      var free = freeRoomsFor(s, p).map(function (r) { return r.name + " (" + r.capacity + ")"; });
      demand.textContent += " — " + fmt(gettext("more than %(room)s holds (%(capacity)s)."), { room: room.name, capacity: room.capacity }) + " " +
        (free.length ? fmt(gettext("Free and big enough then: %(rooms)s."), { rooms: free.join(", ") }) : gettext("No free room is big enough then."));
      demand.classList.add("is-over");
    } else {
      demand.classList.remove("is-over");
    }
  }

  function readForm() {
    var p = ui.pending;
    var parts = form.elements.start.value.split(":");
    var start = Number(parts[0]) * 60 + Number(parts[1] || 0);
    var duration = Number(form.elements.duration.value);
    if (!form.elements.start.value || isNaN(start) || !(duration > 0)) return false;
    p.room = form.elements.room.value ? Number(form.elements.room.value) : null;
    p.day = form.elements.day.value;
    p.start = start;
    p.duration = Math.round(duration);
    if (p.day !== ui.day) { ui.day = p.day; }
    return true;
  }

  function cancelPending() {
    ui.pending = null;
    editor.hidden = true;
    if (ui.dirty) { ui.dirty = false; fillChoices(); }
  }

  function commitPending() {
    var p = ui.pending;
    if (!p) return;
    var id = p.id;
    cancelPending();
    move(id, p, p.v).then(function () { focusCard(id); });
  }

  function nudge(key, shift) {
    var p = ui.pending;
    var roomIds = state.rooms.map(function (r) { return r.id; });
    if (shift && (key === "ArrowUp" || key === "ArrowDown")) {
      p.duration = Math.max(ui.step, p.duration + (key === "ArrowUp" ? -ui.step : ui.step));
    } else if (key === "ArrowUp" || key === "ArrowDown") {
      var next = p.start + (key === "ArrowUp" ? -ui.step : ui.step);
      p.start = Math.min(Math.max(0, next), 1440 - ui.step);
    } else if (roomIds.length) {
      var at = roomIds.indexOf(p.room);
      at = at < 0 ? 0 : Math.min(Math.max(0, at + (key === "ArrowLeft" ? -1 : 1)), roomIds.length - 1);
      p.room = roomIds[at];
    }
    if (p.start + p.duration > ui.dayEnd || p.start < ui.dayStart) render(); else { highlight(); drawPreview(); }
    syncForm();
    say(where(p));
  }

  root.addEventListener("keydown", function (e) {
    var card = e.target.closest && e.target.closest(".board-card");
    if ((e.ctrlKey || e.metaKey) && e.key === "z" && !/INPUT|SELECT/.test(e.target.tagName)) {
      e.preventDefault(); undo(); return;
    }
    if (ui.pending && e.key === "Escape") {
      e.preventDefault();
      var id = ui.pending.id;
      cancelPending(); render(); focusCard(id); say(gettext("Cancelled."));
      return;
    }
    if (ui.pending && card && Number(card.dataset.id) === ui.pending.id) {
      if (/^Arrow(Up|Down|Left|Right)$/.test(e.key)) { e.preventDefault(); nudge(e.key, e.shiftKey); return; }
      if (e.key === "Enter") { e.preventDefault(); commitPending(); return; }
    }
    if (card && !ui.pending && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      pick(Number(card.dataset.id));
      focusCard(Number(card.dataset.id));
    }
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!ui.pending) return;
    if (!readForm()) { el("[data-editor-error]").textContent = gettext("Give a start time and a length in minutes."); return; }
    commitPending();
  });
  form.addEventListener("change", function () {
    if (ui.pending && readForm()) { render(); syncForm(); }
  });
  form.addEventListener("click", function (e) {
    var action = e.target.dataset && e.target.dataset.action;
    if (!action || !ui.pending) return;
    var id = ui.pending.id, version = ui.pending.v;
    if (action === "cancel") { cancelPending(); render(); focusCard(id); }
    if (action === "unschedule") { cancelPending(); move(id, { day: null }, version); }
    if (action === "span") { readForm(); ui.pending.room = null; commitPending(); }
    if (action === "copy") copyToRooms(id, version);
    if (action === "cancel-session") { cancelPending(); setStatus(id, "cancelled", version); }
    if (action === "restore") { cancelPending(); setStatus(id, "published", version); }
  });

  // Dragging with a pointer (mouse, touch, pen) ------------------------------------------

  function snap(minutes) { return Math.round(minutes / ui.step) * ui.step; }

  function targetAt(x, y, spanning) {
    var hit = document.elementFromPoint(x, y);
    if (!hit) return null;
    if (hit.closest(".board-tray")) return { tray: true };
    var col = hit.closest(".board-col, .board-span-layer");
    // Over a card drawn across every room: the column below, unless this one spans too.
    if (col && col.classList.contains("board-span-layer") && !spanning) col = null;
    if (!col) {
      var body = hit.closest(".board-body");
      if (!body) return null;
      col = Array.prototype.filter.call(root.querySelectorAll(".board-col"), function (c) {
        var r = c.getBoundingClientRect();
        return x >= r.left && x < r.right;
      })[0];
      if (!col) return null;
    }
    return col;
  }

  function dragMove(e) {
    var d = ui.drag;
    if (!d) return;
    if (!d.active) {
      if (Math.abs(e.clientX - d.x0) + Math.abs(e.clientY - d.y0) < 5) return;
      d.active = true;
      d.card.classList.add("is-dragging");
      if (d.mode === "move") {
        d.ghost = d.card.cloneNode(true);
        d.ghost.classList.add("board-ghost");
        d.ghost.style.width = d.card.offsetWidth + "px";
        d.ghost.style.height = d.card.offsetHeight + "px";
        document.body.appendChild(d.ghost);
      }
      highlight();
    }
    e.preventDefault();
    var s = byId[d.id];
    if (!s) { dragEnd(e, true); return; } // deleted meanwhile by someone else
    if (d.mode === "resize") {
      var rect = d.card.getBoundingClientRect();
      var minutes = Math.max(ui.step, snap((e.clientY - rect.top) / PPM));
      d.target = { room: s.room, day: s.day, start: s.start, duration: minutes };
      d.card.style.height = minutes * PPM - 2 + "px";
      say(fmt(gettext("Length %(minutes)s min, until %(end)s"), { minutes: minutes, end: hhmm(s.start + minutes) }));
      drawPreview();
      return;
    }
    d.ghost.style.left = e.clientX - d.dx + "px";
    d.ghost.style.top = e.clientY - d.dy + "px";
    var col = targetAt(e.clientX, e.clientY, s.room === null && !!s.day);
    root.querySelectorAll(".is-drop").forEach(function (n) { n.classList.remove("is-drop"); });
    if (col && col.tray) {
      d.target = { tray: true };
      el("#board-tray").classList.add("is-drop");
      drawPreview();
      say(fmt(gettext("Drop to unschedule “%(title)s”."), { title: s.title }));
    } else if (col) {
      var top = col.getBoundingClientRect().top;
      var start = snap(ui.dayStart + (e.clientY - d.dy - top) / PPM);
      start = Math.min(Math.max(0, start), 1440 - ui.step);
      var room = col.dataset.room ? Number(col.dataset.room) : null;
      d.target = { room: room, day: ui.day, start: start, duration: s.duration || 30 };
      drawPreview();
      say(where(d.target));
    } else {
      d.target = null;
      drawPreview();
    }
    autoscroll(e.clientX, e.clientY);
  }

  function autoscroll(x, y) {
    var r = scroller.getBoundingClientRect(), edge = 40, speed = 18;
    if (y < r.top + edge && y > r.top - 200) scroller.scrollTop -= speed;
    else if (y > r.bottom - edge && y < r.bottom + 200) scroller.scrollTop += speed;
    if (x > r.left && x < r.right) {
      if (x < r.left + TIME_W + edge) scroller.scrollLeft -= speed;
      else if (x > r.right - edge) scroller.scrollLeft += speed;
    }
  }

  function dragEnd(e, cancelled) {
    var d = ui.drag;
    if (!d) return;
    ui.drag = null;
    if (d.ghost) d.ghost.remove();
    root.querySelectorAll(".is-drop").forEach(function (n) { n.classList.remove("is-drop"); });
    d.card.classList.remove("is-dragging");
    if (!d.active) {
      // A click: pick the session up, as Enter does.
      if (!cancelled && e && e.type === "pointerup") pick(d.id);
      return;
    }
    var target = cancelled ? null : d.target;
    if (ui.dirty) { ui.dirty = false; fillChoices(); }
    if (!target) { render(); say(gettext("Nothing moved.")); return; }
    var s = byId[d.id];
    if (!s) { render(); return; }
    if (target.tray) {
      if (!s.day) { render(); return; }
      move(d.id, { day: null }, d.v);
      return;
    }
    var same = s.day === target.day && s.room === target.room && s.start === target.start &&
      s.duration === target.duration;
    if (same) { render(); return; }
    move(d.id, target, d.v);
  }

  root.addEventListener("pointerdown", function (e) {
    if (e.button !== 0 || ui.drag) return;
    var card = e.target.closest(".board-card");
    if (!card || card.classList.contains("board-ghost")) return;
    var r = card.getBoundingClientRect();
    var resize = !!e.target.closest(".board-resize");
    if (ui.pending) cancelPending();
    var picked = byId[Number(card.dataset.id)];
    if (!picked) return;
    ui.drag = { id: picked.id, v: picked.v, card: card, mode: resize ? "resize" : "move",
      x0: e.clientX, y0: e.clientY, dx: e.clientX - r.left, dy: e.clientY - r.top,
      active: false, target: null, pointer: e.pointerId };
    try { card.setPointerCapture(e.pointerId); } catch (err) { /* not capturable */ }
  });
  root.addEventListener("pointermove", dragMove);
  root.addEventListener("pointerup", function (e) { dragEnd(e, false); });
  root.addEventListener("pointercancel", function (e) { dragEnd(e, true); });
  document.addEventListener("keydown", function (e) {
    if (ui.drag && e.key === "Escape") { e.preventDefault(); dragEnd(e, true); }
  });

  // Controls ----------------------------------------------------------------------------

  el("#board-step").addEventListener("change", function (e) {
    ui.step = Number(e.target.value);
    localStorage.setItem("board-step", String(ui.step));
    syncForm();
  });
  el("#board-undo").addEventListener("click", undo);
  ["#tray-q", "#tray-track", "#tray-type", "#tray-status", "#tray-sort"].forEach(function (sel) {
    el(sel).addEventListener("input", drawTray);
  });
  window.addEventListener("resize", function () { if (!ui.drag) render(); });

  var savedStep = Number(localStorage.getItem("board-step"));
  if ([5, 10, 15, 30].indexOf(savedStep) >= 0) { ui.step = savedStep; el("#board-step").value = String(savedStep); }
  fillChoices();
  render();
  startPolling();
  root.classList.add("is-ready");
})();
