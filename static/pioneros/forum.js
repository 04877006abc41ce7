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
  var firstPage = topicBox && topicBox.dataset.firstPage === "on";
  var lastPage = topicBox && topicBox.dataset.lastPage === "on";
  var moderator = topicBox && topicBox.dataset.moderator === "on";
  // Group memberships can vanish on the server (a Redis restart, an expired group) while the
  // socket stays open and looks live; subscribing again now and then mends that, and the
  // catch-up it brings fills whatever was missed meanwhile.
  var RESUBSCRIBE_MS = 60000;
  var socket = null;
  var delay = 1000;
  var stopped = false; // access was revoked: nothing more to follow on this page
  var fetching = false;
  var waiting = []; // events that arrived ahead of one still missing

  function show(kind) {
    if (!state) return;
    state.hidden = false;
    state.textContent = labels[kind] || kind;
    state.className = "badge live-badge " + (kind === "live" ? "text-bg-success" : "text-bg-warning");
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function subscribe() {
    if (stopped) return;
    if (topicBox) send({ type: "subscribe", topic: topicId, after: last });
    if (roomBox) send({ type: "subscribe", room: Number(roomBox.dataset.liveRoom) });
  }

  function historyUrl(postId) {
    return (topicBox.dataset.historyUrl || "").replace("/0/", "/" + postId + "/");
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
    var byline = document.createElement("span");
    byline.textContent = post.author + " · " + new Date(post.created_at).toLocaleString();
    header.appendChild(byline);
    body.appendChild(header);
    var note = document.createElement("p");
    note.className = "text-secondary fst-italic mb-1 post-hidden-note";
    note.textContent = labels.hidden || "";
    note.hidden = true;
    body.appendChild(note);
    var content = document.createElement("div");
    content.className = "post-body";
    body.appendChild(content);
    article.appendChild(body);
    fill(article, post);
    return article;
  }

  function fill(article, post) {
    var content = article.querySelector(".post-body");
    var note = article.querySelector(".post-hidden-note");
    article.classList.toggle("border-danger", Boolean(post.hidden));
    if (note) note.hidden = !post.hidden;
    if (post.hidden) {
      // Moderators keep the text the page gave them; everyone else loses it at once.
      if (content && !moderator) content.replaceChildren();
    } else {
      var reason = article.querySelector(".post-hidden-reason");
      if (reason) reason.remove();
      if (content && post.html !== undefined) {
        // Server-rendered and sanitised (forums/rendering.py): a whole <div class="post-body">.
        var holder = document.createElement("div");
        holder.innerHTML = post.html;
        content.replaceWith(holder.firstElementChild || holder);
      }
    }
    if (post.edited && !article.querySelector(".post-edited")) {
      var header = article.querySelector("header");
      var where = header.lastElementChild || header;
      var mark = document.createElement("a");
      mark.className = "post-edited text-secondary";
      mark.href = historyUrl(post.id);
      mark.textContent = labels.edited || "edited";
      where.appendChild(document.createTextNode(" · "));
      where.appendChild(mark);
    }
  }

  function markAccepted(article, accepted) {
    article.classList.toggle("border-success", accepted);
    var badge = article.querySelector(".accepted-badge");
    if (accepted && !badge) {
      badge = document.createElement("span");
      badge.className = "badge text-bg-success ms-1 accepted-badge";
      badge.textContent = labels.accepted || "";
      var header = article.querySelector("header");
      (header.firstElementChild || header).appendChild(badge);
    } else if (!accepted && badge) {
      badge.remove();
    }
  }

  // A post leaving the accepted box goes back among the others, if it belongs on this page.
  function putBack(article) {
    var id = Number(article.dataset.post);
    var list = document.getElementById("posts");
    var items = list.querySelectorAll("article.post");
    if (items.length && id < Number(items[0].dataset.post) && !firstPage) return;
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].dataset.post) > id) {
        list.insertBefore(article, items[i]);
        return;
      }
    }
    if (lastPage || !items.length) list.appendChild(article);
  }

  function syncAccepted(acceptedId, post) {
    var badge = document.querySelector(".topic-state");
    if (badge) {
      badge.textContent = acceptedId ? labels.solved || "" : labels.question || "";
      badge.className = "badge align-middle fs-6 topic-state " +
        (acceptedId ? "text-bg-success" : "text-bg-light border");
    }
    var box = document.getElementById("accepted-answer");
    if (!box) return;
    var current = box.querySelector("article.post");
    if (current && Number(current.dataset.post) !== acceptedId) {
      current.remove();
      markAccepted(current, false);
      putBack(current);
      current = null;
    }
    if (acceptedId && !current) {
      var article = document.getElementById("post-" + acceptedId);
      var made = !article && post && post.id === acceptedId;
      if (made) article = postElement(post);
      if (article) {
        markAccepted(article, true);
        box.appendChild(article);
      }
      if (made) loadCard(post.id, true);
    }
  }

  function syncLocked(locked) {
    var badge = document.querySelector(".topic-locked");
    if (badge) badge.hidden = !locked;
    if (moderator) return; // coordinators may still reply to a locked topic
    var form = document.getElementById("reply-form");
    var note = document.getElementById("locked-note");
    if (form) form.hidden = locked;
    if (note) note.hidden = !locked;
  }

  // A live post is shown at once from the event, then replaced by the server's own card for
  // this reader (GET /posts/<id>/card/): the same template as a loaded post, with the buttons
  // this reader may use and the date in their language and time zone. Readers ask at spread
  // moments, not all in the same millisecond. An event about the post that arrives while its
  // card is on the way makes the page ask again, so the card is never older than the event.
  var CARD_SPREAD_MS = 1000;
  var cards = {}; // post id -> "asked", or "stale" once a newer event came meanwhile

  var CARD_TRIES = 4; // then the post stays as the event showed it until the next reload

  function loadCard(id, spread, tries) {
    tries = tries || 0;
    if (!tries) cards[id] = "asked";
    setTimeout(function () {
      fetch("/posts/" + id + "/card/", { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .catch(function () { return null; })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html || "";
          var card = holder.querySelector("article#post-" + id);
          if (!card && tries + 1 < CARD_TRIES) return loadCard(id, true, tries + 1);
          var stale = cards[id] === "stale";
          delete cards[id];
          var shown = document.getElementById("post-" + id);
          if (shown && card) shown.replaceWith(card);
          if (stale) loadCard(id, false);
        });
    }, spread ? (tries + Math.random()) * CARD_SPREAD_MS : 0);
  }

  function apply(event) {
    last = event.id;
    topicBox.dataset.lastEvent = String(last);
    var post = event.post;
    var existing = post ? document.getElementById("post-" + post.id) : null;
    if (post && cards[post.id]) cards[post.id] = "stale";
    if (event.type === "post.created" && post && !existing) {
      // Replies belong at the end of the topic: only its last page shows them.
      if (lastPage) {
        document.getElementById("posts").appendChild(postElement(post));
        loadCard(post.id, true);
      }
      var announce = document.getElementById("forum-announce");
      if (announce) announce.textContent = announce.dataset.newReply.replace("{name}", post.author);
    } else if (post && existing) {
      fill(existing, post);
    }
    if ("accepted_post" in event) syncAccepted(event.accepted_post, post);
    if ("locked" in event) syncLocked(event.locked);
  }

  function onTopicEvent(event) {
    if (event.id <= last) return; // already shown
    if (fetching || event.id > last + 1) {
      waiting.push(event);
      fillGap();
      return;
    }
    apply(event);
  }

  // Something between `last` and this event has not arrived (yet): read it from the server
  // rather than skip it, then go on with what was waiting, in order.
  function fillGap() {
    if (fetching) return;
    fetching = true;
    var before = last;
    fetch("/api/topics/" + topicId + "/events/?after=" + last, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { events: [] }; })
      .catch(function () { return { events: [] }; })
      .then(function (data) {
        (data.events || []).forEach(function (event) { if (event.id > last) apply(event); });
        fetching = false;
        var queued = waiting.sort(function (a, b) { return a.id - b.id; });
        waiting = [];
        var progress = last > before;
        queued.forEach(function (event) {
          if (event.id <= last) return;
          // Without progress the server cannot fill the gap now; show what we have.
          if (progress) onTopicEvent(event);
          else apply(event);
        });
      });
  }

  function onRoomEvent(event) {
    // New topics and new replies change the list's order: offer a reload, never jump.
    var notice = roomBox.querySelector(".live-new-topics");
    if (notice) notice.hidden = false;
  }

  function stop() {
    stopped = true;
    show("revoked");
    if (socket) socket.close();
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
    if (code !== 4503 && !crowded) show("reconnecting");
    if (!navigator.onLine) return; // the "online" event reconnects
    // Spread between half and one and a half times the backoff: the pages a restart drops
    // would otherwise all knock again at the same instant.
    setTimeout(function () { if (!socket && !stopped) connect(); }, delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 30000);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/forums/");
    var opened = false;
    socket.onopen = function () {
      opened = true;
      refused = 0;
      subscribe();
    };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === "subscribed") {
        // Live only now: a socket accepted to be told "unavailable" or "too many" and closed
        // must not reset the backoff, or the page would retry every second.
        delay = 1000;
        crowded = false;
        show("live");
        // More than the server replays at once was missed: ask again from where we are.
        if (event.topic === topicId && event.complete === false) subscribe();
        return;
      }
      // The server cannot deliver live now (Redis is down): say so; the close that follows
      // (4503) retries with backoff, and the page still works by reloading.
      if (event.type === "unavailable") { show("unavailable"); return; }
      if (event.type === "revoked") { stop(); return; }
      if (event.type === "posted") { clearReply(); return; }
      if (event.type === "error") {
        // Closed next with 4429; the page retries with its backoff and says why meanwhile.
        if (event.code === "too_many_sockets") { crowded = true; show(event.message); return; }
        if (event.code === "not_found" && topicBox && event.topic === topicId) stop();
        else replyError(event.message);
        return;
      }
      if (topicBox && event.topic === topicId && event.id) onTopicEvent(event);
      else if (roomBox && event.room) onRoomEvent(event);
    };
    socket.onclose = function (closed) {
      socket = null;
      if (stopped) return;
      if (closed.code === 4401) { stopped = true; show("unavailable"); return; } // signed out
      if (opened) return retry(closed.code);
      serverAnswers(function (answers) {
        refused = answers ? refused + 1 : 0;
        if (refused >= REFUSALS) { stopped = true; show("unavailable"); return; }
        retry(closed.code);
      });
    };
  }

  // A lost network kills sockets silently; close at once and come back when it returns.
  window.addEventListener("offline", function () { if (socket) socket.close(); });
  window.addEventListener("online", function () {
    delay = 1000;
    if (!socket && !stopped) connect();
  });
  setInterval(subscribe, RESUBSCRIBE_MS);

  var form = document.getElementById("reply-form");
  var sentBody = null; // what the last send carried; text typed after it is kept
  function clearReply() {
    if (!form) return;
    var box = form.querySelector("textarea");
    if (box.value === sentBody) box.value = "";
    sentBody = null;
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
      sentBody = form.querySelector("textarea").value;
      send({ type: "post", topic: topicId, body: sentBody });
    });
  }
  connect();
})();
