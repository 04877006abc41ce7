// Pioneros page script: the member's live channel, reconnecting with backoff.
(function () {
  "use strict";
  var url = document.body.dataset.liveUrl;
  if (!url || !("WebSocket" in window)) return;
  var state = document.getElementById("live-state");
  var toasts = document.getElementById("live-toasts");
  var delay = 1000;

  // The header cuts the label short (or to the icon) to keep to one line: the title and the
  // status text keep it whole.
  function show(label) {
    if (!state) return;
    state.hidden = !label;
    state.title = label || "";
    state.querySelector(".live-state-label").textContent = label || "";
  }

  function toast(event) {
    if (!toasts || !event.text) return;
    var box = document.createElement("div");
    box.className = "toast show";
    box.setAttribute("role", "status");
    var body = document.createElement("div");
    body.className = "toast-body";
    if (event.url) {
      var link = document.createElement("a");
      link.href = event.url;
      link.textContent = event.text;
      body.appendChild(link);
    } else {
      body.textContent = event.text;
    }
    box.appendChild(body);
    toasts.appendChild(box);
    setTimeout(function () { box.remove(); }, 15000);
  }

  function badge(unread) {
    var element = document.getElementById("notification-badge");
    if (!element) return;
    element.hidden = !unread;
    element.textContent = unread > 99 ? "99+" : String(unread);
  }

  // A socket refused at the handshake (a 403: the server does not take this page's origin)
  // closes with 1006, like a lost network. If the server answers plain HTTP meanwhile, it is
  // refusing the socket itself, and retrying cannot help: after a few such, stop.
  var REFUSALS = 3;
  var refused = 0;
  function serverAnswers(then) {
    fetch("/healthz", { cache: "no-store" })
      .then(function (response) { then(response.ok); })
      .catch(function () { then(false); });
  }

  var crowded = false; // the server said this member holds too many sockets: keep saying so

  function retry(code) {
    // 4503: the server cannot deliver live now (Redis is down); it keeps trying.
    if (!crowded) show(code === 4503 ? document.body.dataset.liveUnavailable : document.body.dataset.liveReconnecting);
    // Spread between half and one and a half times the backoff: the pages a restart drops
    // would otherwise all knock again at the same instant.
    setTimeout(connect, delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 30000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + url);
    var opened = false;
    socket.onopen = function () { opened = true; refused = 0; };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      // Live only once greeted: a socket accepted to be told "unavailable" or "too many"
      // and closed must not reset the backoff, or the page would retry every second.
      if (event.type === "hello") { delay = 1000; crowded = false; return show(""); }
      if (event.type === "notifications") return badge(event.unread);
      if (event.type === "error") { crowded = event.code === "too_many_sockets"; return show(event.message); }
      if (event.type !== "hello" && event.type !== "pong") toast(event);
    };
    socket.onclose = function (closed) {
      if (closed.code === 4401) return show(""); // signed out: nothing to reconnect to
      if (opened) return retry(closed.code);
      serverAnswers(function (answers) {
        refused = answers ? refused + 1 : 0;
        if (refused >= REFUSALS) return show(document.body.dataset.liveUnavailable);
        retry(closed.code);
      });
    };
  }
  connect();
})();
