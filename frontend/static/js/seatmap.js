/* The live seat map: click (or Enter/Space) takes or gives back a seat through the holds API,
   Server-Sent Events apply other buyers' changes to single seats, arrow keys move between seats.
   One listener per kind of event on the <svg>, so it stays quick with thousands of seats. */
(function () {
  "use strict";
  if (window.boxofficeSeatmap) { window.boxofficeSeatmap.start(); return; }

  var WORDS = { available: "available", held: "held by another buyer", booked: "sold", mine: "in your basket" };
  var map = null;  // the state of the map on the page: {svg, eventId, cursor, holdId, source, rows, where, ...}

  function ui() { return window.boxoffice; }

  function statusOf(seat) {
    var c = seat.classList;
    return c.contains("st-mine") ? "mine" : c.contains("st-held") ? "held" : c.contains("st-booked") ? "booked" : "available";
  }

  function setStatus(seat, status, flash) {
    if (statusOf(seat) === status) return;
    seat.classList.remove("st-mine", "st-held", "st-booked");
    if (status !== "available") seat.classList.add("st-" + status);
    seat.removeAttribute("aria-pressed");
    seat.removeAttribute("aria-disabled");
    if (status === "mine") seat.setAttribute("aria-pressed", "true");
    else if (status !== "available") seat.setAttribute("aria-disabled", "true");
    var label = seat.getAttribute("aria-label");
    seat.setAttribute("aria-label", label.slice(0, label.lastIndexOf(", ")) + ", " + WORDS[status]);
    if (flash) {
      seat.classList.add("flash");
      setTimeout(function () { seat.classList.remove("flash"); }, 1000);
    }
    countLater();
  }

  function seatEl(id) { return document.getElementById("s" + id); }

  /* --- holds ------------------------------------------------------------------------------ */

  function toggle(seat) {
    if (!map.signedIn) { ui().loginRedirect(); return; }
    if (!map.onSale) { ui().toast("Tickets for this event are not on sale right now.", "warning"); return; }
    if (seat.classList.contains("pending")) return;
    var status = statusOf(seat);
    if (status === "held" || status === "booked") { ui().toast("That seat is taken — please pick another one.", "info"); return; }
    seat.classList.add("pending");
    var done = function () { seat.classList.remove("pending"); };
    /* One hold change at a time: a second quick click waits for the first to have made the hold, and
       then adds to it, instead of racing it to create a hold of its own. */
    map.changes = (map.changes || Promise.resolve()).then(function () {
      return status === "mine" ? giveBack(seat) : take(seat, true);
    }).then(done, done);
  }

  function take(seat, retry) {
    var id = seat.id.slice(1);
    var call = map.holdId
      ? ui().api("POST", "/api/holds/" + encodeURIComponent(map.holdId) + "/seats", { seat_ids: [id] })
      : ui().api("POST", "/api/holds", { event_id: map.eventId, seat_ids: [id] });
    return call.then(function (r) {
      if (r.ok) {
        map.holdId = r.data.id;
        r.data.seat_ids.forEach(function (sid) { var s = seatEl(sid); if (s) setStatus(s, "mine"); });
        basketChanged();
      } else if (retry && map.holdId && (r.status === 404 || r.status === 410)) {
        map.holdId = null;  /* the hold lapsed meanwhile: start a new one */
        return take(seat, false);
      } else if (retry && r.status === 409 && r.data && r.data.hold_id) {
        map.holdId = r.data.hold_id;  /* a hold made in another tab */
        return take(seat, false);
      } else if (r.status === 409 && r.data && r.data.conflicting_seat_ids) {
        setStatus(seat, "held");
        ui().toast("Someone just took that seat — please pick another one.", "warning");
      } else if (r.status === 401) {
        ui().loginRedirect();
      } else {
        ui().toast(r.message, "error");
      }
    });
  }

  function giveBack(seat) {
    var id = seat.id.slice(1);
    return ui().api("DELETE", "/api/holds/" + encodeURIComponent(map.holdId) + "/seats/" + id).then(function (r) {
      if (r.ok) {
        setStatus(seat, "available");
        if (r.status === 204) map.holdId = null;
      } else if (r.status === 404 || r.status === 410) {
        setStatus(seat, "available");
        map.holdId = null;
        ui().toast("Your hold had already lapsed.", "warning");
      } else {
        ui().toast(r.message, "error");
      }
      basketChanged();
    });
  }

  function basketChanged() { htmx.trigger(document.body, "basket-changed"); }

  /* --- live changes ------------------------------------------------------------------------- */

  function connect() {
    var url = "/api/events/" + encodeURIComponent(map.eventId) + "/seats/stream?cursor=" + encodeURIComponent(map.cursor);
    var source = new EventSource(url);
    map.source = source;
    source.addEventListener("open", function () { live("live", "Live"); });
    source.addEventListener("error", function () {
      live("off", "Reconnecting…");  /* EventSource retries by itself, resuming from Last-Event-ID */
    });
    source.addEventListener("seats", function (e) {
      if (e.lastEventId) map.cursor = e.lastEventId;
      apply(JSON.parse(e.data));
    });
    source.addEventListener("reset", resync);
  }

  function live(state, text) {
    var dot = document.getElementById("live");
    if (dot) { dot.dataset.state = state; dot.textContent = text; }
  }

  function apply(change) {
    var lost = false, bought = false;
    change.seat_ids.forEach(function (id) {
      var seat = seatEl(id);
      if (!seat || seat.classList.contains("pending")) return;
      var status = statusOf(seat);
      if (change.type === "held") {
        if (status === "available") setStatus(seat, "held", true);
      } else if (change.type === "booked") {
        if (status === "mine") bought = true;
        setStatus(seat, "booked", true);
      } else if (change.type === "released") {
        if (status === "mine" && change.reason === "expired") lost = true;
        if (status !== "available") setStatus(seat, "available", true);
      }
    });
    if (lost) {
      map.holdId = null;
      ui().toast("Your hold expired and the seats were released.", "warning");
    }
    if (lost || bought) basketChanged();
  }

  function resync() {
    if (map.source) map.source.close();
    live("off", "Refreshing…");
    ui().api("GET", "/api/events/" + encodeURIComponent(map.eventId) + "/seats").then(function (r) {
      if (!r.ok) { setTimeout(resync, 2000); return; }
      r.data.seats.forEach(function (s) {
        var seat = seatEl(s.id);
        if (seat) setStatus(seat, s.mine && s.status === "held" ? "mine" : s.status);
      });
      map.cursor = r.data.cursor;
      connect();
      basketChanged();
    });
  }

  var counting = false;
  function countLater() {
    if (counting || !map) return;
    counting = true;
    requestAnimationFrame(function () {
      counting = false;
      var el = document.querySelector("[data-count=available]");
      if (el && map) el.textContent = map.svg.querySelectorAll(".seat:not([class*=st-])").length;
    });
  }

  /* --- keyboard ------------------------------------------------------------------------------ */

  function indexRows(svg) {
    var byY = {}, rows = [], where = new Map();
    svg.querySelectorAll(".seat").forEach(function (seat) {
      var y = seat.getAttribute("y");
      (byY[y] = byY[y] || []).push(seat);
    });
    Object.keys(byY).sort(function (a, b) { return a - b; }).forEach(function (y) {
      var row = byY[y].sort(function (a, b) { return a.getAttribute("x") - b.getAttribute("x"); });
      row.forEach(function (seat, i) { where.set(seat, [rows.length, i]); });
      rows.push(row);
    });
    map.rows = rows;
    map.where = where;
  }

  function focusSeat(seat) {
    if (!seat) return;
    if (map.focused) map.focused.setAttribute("tabindex", "-1");
    seat.setAttribute("tabindex", "0");
    map.focused = seat;
    seat.focus({ preventScroll: true });
    seat.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function nearest(row, x) {
    var best = row[0];
    row.forEach(function (seat) {
      if (Math.abs(seat.getAttribute("x") - x) < Math.abs(best.getAttribute("x") - x)) best = seat;
    });
    return best;
  }

  function onKey(e) {
    var seat = e.target.closest(".seat");
    if (!seat) return;
    var at = map.where.get(seat), row = map.rows[at[0]], next = null;
    switch (e.key) {
      case "ArrowLeft": next = row[at[1] - 1]; break;
      case "ArrowRight": next = row[at[1] + 1]; break;
      case "ArrowUp": if (at[0] > 0) next = nearest(map.rows[at[0] - 1], seat.getAttribute("x")); break;
      case "ArrowDown": if (at[0] < map.rows.length - 1) next = nearest(map.rows[at[0] + 1], seat.getAttribute("x")); break;
      case "Home": next = row[0]; break;
      case "End": next = row[row.length - 1]; break;
      case "Enter": case " ": e.preventDefault(); toggle(seat); return;
      default: return;
    }
    e.preventDefault();
    if (next) focusSeat(next);
  }

  /* --- countdown, zoom, tooltip -------------------------------------------------------------- */

  function tick() {
    document.querySelectorAll("[data-expires]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.expires) - Date.now()) / 1000);
      if (left <= 0) {
        el.textContent = "Expired";
        el.setAttribute("data-urgent", "");
        if (!el.dataset.lapsed) { el.dataset.lapsed = "1"; setTimeout(basketChanged, 1500); }
        return;
      }
      el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left < 60) el.setAttribute("data-urgent", ""); else el.removeAttribute("data-urgent");
    });
  }

  function fit() {
    var box = document.getElementById("seatmap-scroll");
    var w = +map.svg.getAttribute("width"), h = +map.svg.getAttribute("height");
    if (!map.zoom) map.zoom = Math.min(1.4, Math.max(0.45, (box.clientWidth - 2) / w));
    map.svg.style.width = Math.round(w * map.zoom) + "px";
    map.svg.style.height = Math.round(h * map.zoom) + "px";
  }

  function showTip(e) {
    var seat = e.target.closest && e.target.closest(".seat");
    if (!seat) { map.tip.hidden = true; return; }
    map.tip.textContent = seat.getAttribute("aria-label");
    map.tip.style.left = (e.clientX + 14) + "px";
    map.tip.style.top = (e.clientY + 14) + "px";
    map.tip.hidden = false;
  }

  /* --- life cycle ---------------------------------------------------------------------------- */

  function start() {
    var svg = document.getElementById("seatmap");
    if (!svg || svg.dataset.ready) return;
    stop();
    svg.dataset.ready = "1";
    var basket = document.getElementById("basket");
    map = { svg: svg, eventId: svg.dataset.event, cursor: svg.dataset.cursor, signedIn: svg.dataset.signedIn === "true",
            onSale: svg.dataset.onSale === "true", holdId: (basket && basket.dataset.hold) || null, focused: null };
    indexRows(svg);
    var first = svg.querySelector(".seat:not(.st-held):not(.st-booked)") || svg.querySelector(".seat");
    if (first) { first.setAttribute("tabindex", "0"); map.focused = first; }
    svg.addEventListener("click", function (e) {
      var seat = e.target.closest(".seat");
      if (seat) { map.tip.hidden = true; focusSeat(seat); toggle(seat); }
    });
    svg.addEventListener("keydown", onKey);
    map.tip = document.createElement("div");
    map.tip.className = "seat-tip";
    map.tip.hidden = true;
    map.tip.setAttribute("aria-hidden", "true");
    document.body.appendChild(map.tip);
    svg.addEventListener("mousemove", showTip);
    svg.addEventListener("mouseleave", function () { map.tip.hidden = true; });
    fit();
    map.timer = setInterval(tick, 1000);
    tick();
    connect();
  }

  function stop() {
    if (!map) return;
    if (map.source) map.source.close();
    clearInterval(map.timer);
    if (map.tip) map.tip.remove();
    map = null;
  }

  document.addEventListener("click", function (e) {
    if (!map) return;
    var drop = e.target.closest("[data-drop-seat]");
    if (drop) { var seat = seatEl(drop.dataset.dropSeat); if (seat) toggle(seat); return; }
    var zoom = e.target.closest("[data-zoom]");
    if (zoom) { map.zoom = Math.min(3, Math.max(0.25, map.zoom * (zoom.dataset.zoom === "1" ? 1.25 : 0.8))); fit(); }
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    if (map && e.detail.target && e.detail.target.id === "basket-slot") {
      var basket = document.getElementById("basket");
      if (basket) map.holdId = basket.dataset.hold || null;
      tick();
    }
  });

  document.addEventListener("htmx:beforeSwap", function (e) {
    if (map && e.detail.target && e.detail.target.contains(map.svg)) stop();
  });
  document.addEventListener("htmx:load", start);
  window.addEventListener("pagehide", stop);

  window.boxofficeSeatmap = { start: start, stop: stop, state: function () { return map; } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
