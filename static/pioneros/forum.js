// Live forum pages: new, edited, hidden and accepted posts appear without reloading.
// The page works without this script; it only adds live delivery and catch-up.
(function () {
  "use strict";
  var topicBox = document.getElementById("live-topic");
  var roomBox = document.querySelector("[data-live-room]");
  if (!topicBox && !roomBox) return;
  if (topicBox && topicBox.dataset.live !== "on") return;
  var state = document.getElementById("forum-live-state");
  var labels = state ? state.dataset : {};
  var topicId = topicBox ? Number(topicBox.dataset.topic) : null;
  var last = topicBox ? Number(topicBox.dataset.lastEvent) : 0;
  var socket = null;
  var delay = 1000;

  function show(kind) {
    if (!state) return;
    state.hidden = false;
    state.textContent = labels[kind] || kind;
    state.className = "badge live-badge " + (kind === "live" ? "text-bg-success" : "text-bg-warning");
  }

  function postElement(post) {
    var article = document.createElement("article");
    article.className = "card mb-3 post";
    article.id = "post-" + post.id;
    article.dataset.post = post.id;
    var body = document.createElement("div");
    body.className = "card-body";
    var header = document.createElement("header");
    header.className = "small text-secondary mb-2";
    header.textContent = post.author + " · " + new Date(post.created_at).toLocaleString();
    body.appendChild(header);
    var content = document.createElement("div");
    content.className = "post-live-content";
    body.appendChild(content);
    article.appendChild(body);
    fill(article, post);
    return article;
  }

  function fill(article, post) {
    var content = article.querySelector(".post-live-content") || article.querySelector(".post-body");
    if (!content) return;
    if (post.hidden) {
      content.textContent = labels.hidden || "";
      content.classList.add("text-secondary", "fst-italic");
    } else if (post.html !== undefined) {
      // Server-rendered and sanitised (forums/rendering.py) before it was ever stored.
      content.innerHTML = post.html;
      content.classList.remove("text-secondary", "fst-italic");
    }
    if (post.edited && !article.querySelector(".post-edited")) {
      var mark = document.createElement("span");
      mark.className = "post-edited small text-secondary";
      mark.textContent = " · " + (labels.edited || "edited");
      article.querySelector("header").appendChild(mark);
    }
  }

  function onTopicEvent(event) {
    if (event.id <= last) return;
    last = event.id;
    topicBox.dataset.lastEvent = String(last);
    var post = event.post;
    var existing = post ? document.getElementById("post-" + post.id) : null;
    if (event.type === "post.created" && post && !existing) {
      document.getElementById("posts").appendChild(postElement(post));
    } else if (post && existing) {
      fill(existing, post);
    }
    if (event.type === "answer.accepted") {
      var badge = document.querySelector(".topic-state");
      if (badge) {
        badge.textContent = labels.solved || "";
        badge.className = "badge align-middle fs-6 topic-state text-bg-success";
      }
    }
  }

  function onRoomEvent(event) {
    // New topics and new replies change the list's order: offer a reload, never jump.
    var notice = roomBox.querySelector(".live-new-topics");
    if (notice) notice.hidden = false;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/forums/");
    socket.onopen = function () {
      delay = 1000;
      if (topicBox) socket.send(JSON.stringify({ type: "subscribe", topic: topicId, after: last }));
      if (roomBox) socket.send(JSON.stringify({ type: "subscribe", room: Number(roomBox.dataset.liveRoom) }));
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "subscribed") { show("live"); return; }
      if (event.type === "posted") { clearReply(); return; }
      if (event.type === "error") { replyError(event.message); return; }
      if (topicBox && event.topic === topicId && event.id) onTopicEvent(event);
      else if (roomBox && event.room) onRoomEvent(event);
    };
    socket.onclose = function (closed) {
      socket = null;
      if (closed.code === 4401) return;
      show("reconnecting");
      if (!navigator.onLine) return; // the "online" event reconnects
      setTimeout(function () { if (!socket) connect(); }, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }

  // A lost network kills sockets silently; close at once and come back when it returns.
  window.addEventListener("offline", function () { if (socket) socket.close(); });
  window.addEventListener("online", function () {
    delay = 1000;
    if (!socket) connect();
  });

  var form = document.getElementById("reply-form");
  function clearReply() {
    if (!form) return;
    form.querySelector("textarea").value = "";
    form.querySelector("button[type=submit]").disabled = false;
  }
  function replyError(text) {
    if (!form) return;
    form.querySelector("button[type=submit]").disabled = false;
    var box = form.querySelector(".live-error");
    if (!box) {
      box = document.createElement("div");
      box.className = "alert alert-danger live-error";
      box.setAttribute("role", "alert");
      form.prepend(box);
    }
    box.textContent = text;
  }
  if (form && topicBox) {
    form.addEventListener("submit", function (submitted) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return; // plain form post instead
      submitted.preventDefault();
      form.querySelector("button[type=submit]").disabled = true;
      socket.send(JSON.stringify({ type: "post", topic: topicId, body: form.querySelector("textarea").value }));
    });
  }
  connect();
})();
