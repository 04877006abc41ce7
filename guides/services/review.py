"""Review and publishing: coordinators (or the sponsoring agency's officers) return a draft
or publish it, and a published guide is checked again by its date, flagged or archived."""

import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from forums.rendering import render
from guides import access, credits, notifications
from guides.models import Guide, GuideTag, GuideVersion, ReviewComment
from guides.services._shared import Action, Status, clean_field, clean_note, log, require
from network.models import User

CHECK_AFTER = datetime.timedelta(days=365)


@transaction.atomic
def comment(*, guide: Guide, by: User, text: str) -> ReviewComment:
    """Authors and coordinators talk about the guide on its review trail."""
    text = clean_field(text, ReviewComment, "text")
    require(access.can_manage(by, guide), _("Only authors and coordinators comment here."))
    text = text.strip()
    if not text:
        raise DomainError(_("Write a comment first."), code="empty")
    entry = log(guide, by, Action.COMMENT, text)
    people = notifications.authors(guide) + notifications.coordinators(guide)
    notifications.tell(kind="comment", guide=guide, users=people, actor=by, text=text)
    return entry


def _require_coordinator(guide: Guide, by: User) -> None:
    require(access.is_coordinator(by, guide), _("Only the cluster's coordinators review guides."))


def _require_reviewer(guide: Guide, by: User) -> None:
    if access.can_review(by, guide):
        return
    if access.is_coordinator(by, guide) and access.is_author(by, guide):
        raise NotAllowed(_("Another coordinator reviews a guide you wrote."), code="own_guide")
    raise NotAllowed(_("Only the cluster's coordinators review guides."))


@transaction.atomic
def return_to_authors(*, guide: Guide, by: User, note: str) -> Guide:
    note = clean_note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require_reviewer(guide, by)
    if guide.status != Status.REVIEW:
        raise DomainError(_("Only a guide in review can be returned."), code="not_in_review")
    if not note.strip():
        raise DomainError(_("Tell the authors what to change."), code="empty")
    guide.status = Status.DRAFT
    guide.save(update_fields=["status", "updated_at"])
    log(guide, by, Action.RETURNED, note.strip())
    notifications.tell(
        kind="returned",
        guide=guide,
        users=notifications.authors(guide),
        actor=by,
        text=note.strip(),
    )
    return guide


def _check_by(check_by: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    check_by = check_by or today + CHECK_AFTER
    if check_by <= today:
        raise DomainError(_("The date to check again must be in the future."), code="bad_date")
    return check_by


@transaction.atomic
def publish(
    *,
    guide: Guide,
    by: User,
    note: str = "",
    visibility: str | None = None,
    check_by: datetime.date | None = None,
) -> GuideVersion:
    """A coordinator who did not write it publishes the reviewed draft as its next version."""
    note = clean_field(note, GuideVersion, "note")
    guide = Guide.objects.select_for_update().select_related("cluster").get(pk=guide.pk)
    # Four eyes: another coordinator, or where every coordinator wrote it the sponsoring
    # agency's officers (access.can_review). With neither, a sole coordinator publishes their
    # own guide and the trail says so (incentives still wait for someone else to confirm).
    _require_reviewer(guide, by)
    unreviewed = access.is_author(by, guide)
    if guide.status != Status.REVIEW:
        raise DomainError(_("Only a guide in review can be published."), code="not_in_review")
    note = note.strip()
    if guide.current_version_id and not note:
        raise DomainError(_("Say what changed and why."), code="no_note")
    if visibility is not None and visibility not in Guide.Visibility.values:
        raise DomainError(_("Choose who sees the guide."), code="bad_visibility")
    version = _new_version(guide, by=by, note=note)
    guide.current_version = version
    guide.published_at = version.published_at
    guide.status = Status.PUBLISHED
    guide.visibility = visibility or guide.visibility
    guide.check_by = _check_by(check_by)
    guide.save()
    _index(guide)
    if unreviewed:
        note = " ".join(
            [str(_("Published by its author: the cluster has no other coordinator.")), note]
        ).strip()
    log(guide, by, Action.PUBLISHED, note)
    credits.guide_published(guide=guide, by=by)
    notifications.tell(kind="published", guide=guide, users=notifications.authors(guide), actor=by)
    return version


def _new_version(guide: Guide, *, by: User, note: str) -> GuideVersion:
    """The working copy as it is now, frozen as the guide's next numbered version."""
    latest = guide.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return GuideVersion.objects.create(
        guide=guide,
        number=latest + 1,
        title=guide.title,
        summary=guide.summary,
        body=guide.body,
        body_html=render(guide.body),
        language=guide.language,
        products=guide.products,
        markets=guide.markets,
        topics=guide.topics,
        published_by=by,
        note=note,
    )


def _index(guide: Guide) -> None:
    """Filters find what readers see: the published version's products, markets, topics."""
    GuideTag.objects.filter(guide=guide).delete()
    Kind = GuideTag.Kind
    GuideTag.objects.bulk_create(
        [GuideTag(guide=guide, kind=Kind.PRODUCT, code=code) for code in guide.products]
        + [GuideTag(guide=guide, kind=Kind.MARKET, code=code) for code in guide.markets]
        + [GuideTag(guide=guide, kind=Kind.TOPIC, code=code) for code in guide.topics]
    )


@transaction.atomic
def confirm_current(
    *, guide: Guide, by: User, check_by: datetime.date | None = None, note: str = ""
) -> Guide:
    """An author or coordinator checked it: still right, so it stays as it is until `check_by`."""
    note = clean_note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    require(
        access.can_manage(by, guide),
        _("Only the guide's authors and coordinators confirm it."),
    )
    if guide.current_version_id is None or guide.status == Status.ARCHIVED:
        raise DomainError(_("Only a published guide can be confirmed."), code="not_published")
    guide.check_by = _check_by(check_by)
    guide.reminded_for = None
    if guide.status == Status.NEEDS_REVIEW:
        guide.status = Status.PUBLISHED
    guide.save(update_fields=["check_by", "reminded_for", "status", "updated_at"])
    log(guide, by, Action.CONFIRMED, note.strip())
    return guide


@transaction.atomic
def flag_for_review(*, guide: Guide, by: User | None, note: str = "") -> Guide:
    """Published but in doubt: readers are warned until it is confirmed or updated."""
    note = clean_note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    if by is not None:
        _require_coordinator(guide, by)
    if guide.status != Status.PUBLISHED:
        raise DomainError(_("Only a published guide can be marked for review."), code="state")
    guide.status = Status.NEEDS_REVIEW
    guide.save(update_fields=["status", "updated_at"])
    log(guide, by, Action.FLAGGED, note.strip())
    return guide


@transaction.atomic
def archive(*, guide: Guide, by: User, note: str = "") -> Guide:
    """Out of the library and the search; the link keeps working with a notice."""
    note = clean_note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require_coordinator(guide, by)
    if guide.status == Status.ARCHIVED:
        return guide
    guide.status = Status.ARCHIVED
    guide.save(update_fields=["status", "updated_at"])
    log(guide, by, Action.ARCHIVED, note.strip())
    return guide


def send_due_reminders(*, today: datetime.date | None = None) -> int:
    """Ask authors and coordinators about each guide past its date, once per date.

    Safe to run often and from several processes: the update that records the date is the
    claim, so only one run asks about a guide.
    """
    today = today or timezone.localdate()
    due = (
        Guide.objects.filter(current_version__isnull=False, check_by__lt=today)
        .exclude(status=Status.ARCHIVED)
        .exclude(reminded_for=F("check_by"))
        .values_list("pk", flat=True)
    )
    asked = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            claimed = (
                Guide.objects.filter(pk=pk)
                .exclude(reminded_for=F("check_by"))
                .update(reminded_for=F("check_by"))
            )
            if not claimed:
                continue
            guide = Guide.objects.get(pk=pk)
            if guide.status == Status.PUBLISHED:
                flag_for_review(guide=guide, by=None)
            people = notifications.authors(guide) + notifications.coordinators(guide)
            notifications.tell(kind="check_due", guide=guide, users=people, actor=None)
            asked += 1
    return asked
