/* The queue page: the buyer's place and wait arrive over a WebSocket; on admission the page goes
   back to the server, which hands over the admission and sends the buyer on to the seat map. */
(function () {
  "use strict";
  var card = document.querySelector("[data-queue]");
  if (!card) return;
  var eventId = card.getAttribute("data-event-id");
  var statusLine = document.getElementById("queue-status");
  var live = document.getElementById("live");
  var retry = 1000;

  function show(place) {
    card.setAttribute("data-status", place.status);
    if (place.status === "admitted") {
      statusLine.textContent = "It's your turn! Taking you to the seats…";
      window.location.assign("/events/" + encodeURIComponent(eventId) + "/queue");
      return;
    }
    if (place.status === "waiting") {
      statusLine.innerHTML = "";
      statusLine.append("Your place: ");
      var strong = document.createElement("strong");
      strong.setAttribute("data-position", "");
      strong.textContent = "#" + place.position;
      statusLine.append(strong);
    } else if (place.status === "expired") {
      window.location.reload();
      return;
    }
    var wait = card.querySelector("[data-wait]");
    if (wait) wait.textContent = String(place.estimated_wait_s);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + "/api/events/" + encodeURIComponent(eventId) + "/queue/ws");
    ws.onopen = function () { live.setAttribute("data-state", "live"); live.textContent = "Live"; retry = 1000; };
    ws.onmessage = function (message) { show(JSON.parse(message.data)); };
    ws.onclose = function (closed) {
      live.setAttribute("data-state", "connecting");
      live.textContent = "Reconnecting…";
      if (closed.code === 1000 || closed.code === 4404) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }
  connect();
})();
