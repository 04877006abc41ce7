"""Guides beside other pages (questions, goals, mentor suggestions) and labels for codes."""

from django import template

from core import hs
from guides import access, catalogue, selectors
from guides.catalogue import GuideTopic
from guides.models import Guide

register = template.Library()


@register.filter
def market_name(code: str) -> str:
    return catalogue.market_name(code)


@register.filter
def topic_name(code: str) -> str:
    try:
        return str(GuideTopic(code).label)
    except ValueError:
        return code


@register.filter
def language_label(code: str) -> str:
    return str(dict(catalogue.LANGUAGES).get(code, code))


@register.filter
def hs_label(code: str) -> str:
    return hs.label(code)


@register.inclusion_tag("guides/_related.html", takes_context=True)
def guides_for(context, markets=(), products=(), topics=(), limit=3, title=""):
    """{% guides_for markets=goal.market products=goal.hs_code %}: one query, read-checked.

    Each argument takes one code or a list of them.
    """
    request = context.get("request")
    viewer = getattr(request, "user", None) or context.get("user")
    found = selectors.guides_for(
        viewer=viewer, markets=markets, products=products, topics=topics, limit=limit
    )
    return {"guides": found, "title": title, "request": request}


@register.inclusion_tag("guides/_beside_topic.html", takes_context=True)
def guides_beside_topic(context, topic, accepted=None):
    """On a forum question: promote its accepted answer, and guides its tags point to."""
    request = context.get("request")
    viewer = request.user
    can_promote = (
        accepted is not None
        and not accepted.is_hidden
        and topic.room.is_forum
        and access.can_write_in(viewer, topic.room.cluster_id)
    )
    # One guide per answer: once started, the page says so instead of offering the button.
    started = None
    if accepted is not None:
        started = (
            Guide.objects.select_related("current_version").filter(promoted_from=accepted).first()
        )
    readable = started is not None and access.can_read(viewer, started)
    found = []
    if topic.is_question:
        wanted = catalogue.read_tags([tag.slug for tag in topic.tags.all()])
        found = selectors.guides_for(viewer=viewer, limit=3, **wanted)
    return {
        "topic": topic,
        "accepted": accepted,
        "can_promote": can_promote and started is None,
        "started": started if readable else None,
        "started_elsewhere": can_promote and started is not None and not readable,
        "guides": [guide for guide in found if started is None or guide.pk != started.pk],
    }
