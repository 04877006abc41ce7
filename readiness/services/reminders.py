"""Reminders to take the diagnostic again, 6 and 12 months after a firm's latest
submission: each sent once per due date, however often the command runs."""

import datetime

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from network import notify
from network.models import User
from readiness.models import Assessment

# months after a submission -> the field that records the reminder went out
DUE = {6: "reminded_6_at", 12: "reminded_12_at"}


def _months_before(now: datetime.datetime, months: int) -> datetime.datetime:
    year, month = divmod(now.month - 1 - months, 12)
    day = min(now.day, 28)
    return now.replace(year=now.year + year, month=month + 1, day=day)


def send_due_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind the people of each firm whose latest submission is 6 or 12 months old; one
    that reaches 12 months without its 6-month reminder gets the 12-month one alone (the
    6-month one is marked done unsent)."""
    now = now or timezone.now()
    latest = (
        Assessment.objects.filter(
            organization_id=OuterRef("organization_id"), status=Assessment.Status.SUBMITTED
        )
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    sent = 0
    for months, mark in DUE.items():
        due = Assessment.objects.filter(
            status=Assessment.Status.SUBMITTED,
            submitted_at__lte=_months_before(now, months),
            pk=Subquery(latest),
            **{f"{mark}__isnull": True},
        ).select_related("organization")
        for assessment in due:
            # The conditional update is the claim: a second run, or a run beside this one,
            # finds it done and sends nothing.
            claimed = Assessment.objects.filter(pk=assessment.pk, **{f"{mark}__isnull": True})
            if not claimed.update(**{mark: now}):
                continue
            if months == 6 and assessment.submitted_at <= _months_before(now, 12):
                continue  # the 12-month reminder is due too: send that one alone
            _remind(assessment, months)
            sent += 1
    return sent


def _remind(assessment: Assessment, months: int) -> None:
    people = User.objects.filter(
        profile__organization_id=assessment.organization_id, is_active=True, erased_at=None
    )
    url = reverse("readiness:home")
    notify.tell(
        users=people,
        template="readiness/email/rerun",
        context={
            "months": months,
            "firm": assessment.organization.name,
            "url": notify.absolute_url(url),
        },
        event={
            "type": "readiness_rerun",
            "text": _("Time to take the diagnostic again"),
            "url": url,
        },
    )
