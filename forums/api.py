"""The forums' JSON API: the same services and selectors as the pages and the socket.

Session authentication with Django's CSRF protection; errors are {"error", "message"}.
Documented in docs/realtime.md.
"""

import json

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import DomainError, NotAllowed
from forums import realtime, selectors, services

MAX_BODY_BYTES = 32 * 1024


def _error(status: int, code: str, message) -> JsonResponse:
    return JsonResponse({"error": code, "message": str(message)}, status=status)


def _topic_json(topic) -> dict:
    return {
        "id": topic.pk,
        "room": topic.room_id,
        "title": topic.title,
        "kind": topic.kind,
        "solved": topic.is_solved,
        "accepted_post": topic.accepted_post_id,
        "locked": topic.is_locked,
        "pinned": topic.is_pinned,
        "posts": topic.post_count,
        "last_event": topic.last_event_id,
        "last_post_at": topic.last_post_at.isoformat(),
        "url": topic.get_absolute_url(),
    }


@require_GET
def room_topics(request, room_id):
    room = selectors.room_for_reader(request.user, room_id)
    page = selectors.room_topics(room, after=request.GET.get("after"))
    return JsonResponse({"topics": [_topic_json(t) for t in page.items], "next": page.next_cursor})


@require_http_methods(["GET", "POST"])
def topic_posts(request, topic_id):
    topic = selectors.topic_for_reader(request.user, topic_id)
    if request.method == "POST":
        return _create_post(request, topic)
    posts = selectors.topic_posts(topic, viewer=request.user, after=request.GET.get("after"))
    return JsonResponse(
        {
            "topic": _topic_json(topic),
            "posts": [realtime.post_payload(post) for post in posts["page"].items],
            "next": posts["page"].next_cursor,
        }
    )


def _create_post(request, topic):
    if not request.user.is_authenticated:
        return _error(401, "not_signed_in", "Sign in first.")
    if len(request.body) > MAX_BODY_BYTES:
        return _error(413, "too_large", "Requests are at most 32 KB.")
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return _error(400, "bad_json", "Send a JSON object.")
    if not isinstance(data, dict) or not isinstance(data.get("body"), str):
        return _error(400, "bad_message", 'Send {"body": "…"}.')
    try:
        post = services.post_reply(topic=topic, author=request.user, body=data["body"])
    except NotAllowed as error:
        return _error(403, error.code, error.message)
    except services.TooManyPosts as error:
        return _error(429, error.code, error.message)
    except DomainError as error:
        return _error(400, error.code, error.message)
    return JsonResponse({"post": realtime.post_payload(post)}, status=201)


@require_GET
def topic_events(request, topic_id):
    """What a client missed since event `after`: the socket's catch-up, over HTTP."""
    topic = selectors.topic_for_reader(request.user, topic_id)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return _error(400, "bad_after", "after must be a whole number.")
    if after < 0:
        raise Http404
    events = selectors.events_after(topic, after)
    topic.refresh_from_db()
    return JsonResponse(
        {
            "events": [realtime.event_payload(event, topic) for event in events],
            "complete": len(events) < selectors.MAX_CATCH_UP,
        }
    )
