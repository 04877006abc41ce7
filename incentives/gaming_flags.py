"""Gaming flags: patterns that suggest a member games the rules. A flagged contribution waits
for a coordinator's decision instead of being credited."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incentives.models import Contribution

CREDITED = [Contribution.Status.CREDITED, Contribution.Status.CAPPED]
BURST_WINDOW = timedelta(hours=24)
BURST_SIZE = 5  # this many contributions by one member within the window, this one included
VOLUME_FACTOR = 3  # this many times the programme's usual monthly count per member
VOLUME_FLOOR = 8  # never flag volume below this many contributions in a month
# Not a pattern: the person who was to confirm erased their account (forget_erased_member).
CONFIRMER_ERASED = "confirmer_erased"


def _reciprocal(contribution: Contribution) -> dict | None:
    """The two people only ever earn from each other."""
    if contribution.counterpart_id is None:
        return None
    credited = Contribution.objects.filter(programme=contribution.programme, status__in=CREDITED)
    back = credited.filter(actor=contribution.counterpart, counterpart=contribution.actor)
    if not back.exists():
        return None
    others = credited.filter(actor__in=[contribution.actor, contribution.counterpart]).exclude(
        counterpart__in=[contribution.actor, contribution.counterpart]
    )
    if others.exists():
        return None
    return {"code": "reciprocal"}


def _burst(contribution: Contribution) -> dict | None:
    around = Contribution.objects.filter(
        actor=contribution.actor,
        occurred_at__gt=contribution.occurred_at - BURST_WINDOW,
        occurred_at__lte=contribution.occurred_at + BURST_WINDOW,
    ).count()
    return {"code": "burst", "count": around} if around >= BURST_SIZE else None


def _volume(contribution: Contribution) -> dict | None:
    since = timezone.now() - timedelta(days=30)
    counts = list(
        Contribution.objects.filter(programme=contribution.programme, occurred_at__gte=since)
        .values("actor")
        .annotate(n=Count("id"))
        .values_list("actor", "n")
    )
    mine = next((n for actor, n in counts if actor == contribution.actor_id), 0)
    others = [n for actor, n in counts if actor != contribution.actor_id]
    if mine < VOLUME_FLOOR or not others:
        return None
    usual = sorted(others)[len(others) // 2]
    if mine >= VOLUME_FACTOR * usual:
        return {"code": "volume", "count": mine, "usual": usual}
    return None


def detect(contribution: Contribution) -> list[dict]:
    return [found for check in (_reciprocal, _burst, _volume) if (found := check(contribution))]


def explain(flag: dict) -> str:
    code = flag.get("code")
    if code == "reciprocal":
        return _("These two members only ever earn credits from each other.")
    if code == "burst":
        return ngettext(
            "%(count)d contribution by this member within a day.",
            "%(count)d contributions by this member within a day.",
            flag["count"],
        ) % {"count": flag["count"]}
    if code == "volume":
        return _("%(count)d contributions in 30 days, where members usually have %(usual)d.") % {
            "count": flag["count"],
            "usual": flag["usual"],
        }
    if code == CONFIRMER_ERASED:
        return _(
            "The person helped erased their account before confirming; decide whether to "
            "credit it."
        )
    return code or ""
