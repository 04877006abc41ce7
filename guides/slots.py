"""Guides shown on the pages of the apps below, through the places they leave (core.slots):
on a forum question, beside a follower's mentor suggestions, and on each mentoring goal."""

from django.utils.translation import gettext as _

from core import slots
from guides import access, catalogue, selectors
from guides.models import Guide


def beside_topic(*, viewer, topic, accepted=None) -> dict:
    """On a forum question: promote its accepted answer, and guides its tags point to."""
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


def for_needs(*, viewer, needs) -> dict:
    """Beside a follower's mentor suggestions: guides for the products and markets they need."""
    found = selectors.guides_for(
        viewer=viewer, markets=needs.markets, products=needs.products, limit=5
    )
    return {"guides": found, "title": _("Guides for your products and markets")}


def for_goal(*, viewer, goal) -> dict:
    """On a mentoring goal: guides for its market or product."""
    found = selectors.guides_for(viewer=viewer, markets=goal.market, products=goal.hs_code)
    return {"guides": found, "title": _("Guides for this goal")}


slots.register("topic.aside", slots.Piece("guides", "guides/_beside_topic.html", beside_topic))
slots.register("needs.aside", slots.Piece("guides", "guides/_related.html", for_needs))
slots.register("goal.aside", slots.Piece("guides", "guides/_related.html", for_goal))
