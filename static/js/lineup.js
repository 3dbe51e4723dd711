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
      var box = target.closest(".grid-scroll");
      if (!box) return target.scrollIntoView({ block: "start", inline: "nearest" });
      // In the grid: its box to the top of the window (below the day tabs), then its own
      // rows, so that the row sits just under the room headers, which stay in view (the
      // row's own scrollIntoView could scroll the page past the box's top and headers).
      box.scrollIntoView({ block: "start" });
      var head = box.querySelector("thead");
      box.scrollTop += target.getBoundingClientRect().top - box.getBoundingClientRect().top -
        (head ? head.offsetHeight : 0);
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
