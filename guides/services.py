"""Every change to a guide goes through here: writing, review, publishing, readers' feedback."""

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import hs
from core.text import clean_text
from forums.models import Post, Topic
from forums.rendering import render
from guides import access, catalogue, credits, notifications
from guides.catalogue import GuideTopic
from guides.models import (
    CorrectionSuggestion,
    Guide,
    GuideTag,
    GuideVersion,
    ReviewComment,
    UsefulMark,
)
from network.models import User

Status, Action = Guide.Status, ReviewComment.Action
CHECK_AFTER = datetime.timedelta(days=365)
EDITABLE = (Status.DRAFT, Status.PUBLISHED, Status.NEEDS_REVIEW)
# A guide's language code -> the site's locale for it.
LOCALES = {"pt": "pt-br"}


class GuideError(Exception):
    """A request the rules refuse; the message is shown to the person as it is."""

    def __init__(self, message, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class NotAllowed(GuideError):
    """The person may read the guide but does not hold the role this needs."""


def _require(allowed: bool, message) -> None:
    if not allowed:
        raise NotAllowed(message, code="not_allowed")


def _log(guide: Guide, by: User | None, action: str, text: str = "") -> ReviewComment:
    return ReviewComment.objects.create(guide=guide, author=by, action=action, text=text)


def clean_facets(
    *, products: Iterable[str], markets: Iterable[str], topics: Iterable[str]
) -> dict[str, list[str]]:
    """Known HS codes, markets and topics, each once, in the order given."""
    products = list(dict.fromkeys(code.strip() for code in products if code.strip()))
    for code in products:
        if not hs.is_code(code):
            raise GuideError(
                _("%(code)s is not an HS chapter (2 digits) or heading (4 digits).")
                % {"code": code},
                code="bad_product",
            )
    markets = list(dict.fromkeys(markets))
    if any(not catalogue.is_market(code) for code in markets):
        raise GuideError(_("Choose markets from the list."), code="bad_market")
    topics = list(dict.fromkeys(topics))
    if any(topic not in GuideTopic.values for topic in topics):
        raise GuideError(_("Choose topics from the list."), code="bad_topic")
    if len(products) > 10 or len(markets) > 10:
        raise GuideError(_("At most 10 products and 10 markets."), code="too_many")
    return {"products": products, "markets": markets, "topics": topics}


def _text(value: object, model, field: str, label=None) -> str:
    """Free text, trimmed and storable, or refused when longer than its field holds."""
    return clean_text(value, model=model, field=field, error=GuideError, label=label)


def _note(note: object) -> str:
    """A note for the review trail (publishing's goes on the version, which holds less)."""
    return _text(note, ReviewComment, "text", label=_("note"))


def _content(title: str, summary: str, body: str, language: str) -> dict[str, str]:
    title, summary = _text(title, Guide, "title"), _text(summary, Guide, "summary")
    body = _text(body, Guide, "body")
    if not (title and summary and body):
        raise GuideError(_("A guide needs a title, a summary and its text."), code="empty")
    if language not in dict(catalogue.LANGUAGES):
        raise GuideError(_("Choose the guide's language."), code="bad_language")
    return {"title": title, "summary": summary, "body": body, "language": language}


# --- Writing -----------------------------------------------------------------------------


@transaction.atomic
def create_guide(
    *,
    cluster_id: int,
    by: User,
    title: str,
    summary: str,
    body: str,
    language: str,
    products: Iterable[str] = (),
    markets: Iterable[str] = (),
    topics: Iterable[str] = (),
) -> Guide:
    """A draft, its writer its first author; mentors and coordinators of the cluster write."""
    _require(
        access.can_write_in(by, cluster_id),
        _("Only the cluster's mentors and coordinators write guides."),
    )
    guide = Guide.objects.create(
        cluster_id=cluster_id,
        created_by=by,
        **_content(title, summary, body, language),
        **clean_facets(products=products, markets=markets, topics=topics),
    )
    guide.authors.add(by)
    _log(guide, by, Action.CREATED)
    return guide


@transaction.atomic
def update_draft(
    *,
    guide: Guide,
    by: User,
    title: str,
    summary: str,
    body: str,
    language: str,
    products: Iterable[str] = (),
    markets: Iterable[str] = (),
    topics: Iterable[str] = (),
) -> Guide:
    """Only authors edit. Editing a published guide starts a draft of its next version;
    readers keep seeing the published one until a coordinator publishes the change."""
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require(access.is_author(by, guide), _("Only the guide's authors can edit it."))
    if guide.status == Status.REVIEW:
        raise GuideError(
            _("The guide is in review: a coordinator returns it before it can change."),
            code="in_review",
        )
    if guide.status == Status.ARCHIVED:
        raise GuideError(_("An archived guide cannot be edited."), code="archived")
    fields = {
        **_content(title, summary, body, language),
        **clean_facets(products=products, markets=markets, topics=topics),
    }
    for name, value in fields.items():
        setattr(guide, name, value)
    guide.status = Status.DRAFT
    guide.save()
    return guide


@transaction.atomic
def add_author(*, guide: Guide, author: User, by: User) -> Guide:
    _require(access.is_author(by, guide), _("Only the guide's authors can add an author."))
    if not access.can_write_in(author, guide.cluster_id):
        raise GuideError(
            _("Authors are mentors or coordinators of the guide's cluster."), code="bad_author"
        )
    if not access.is_author(author, guide):
        guide.authors.add(author)
        guide.__dict__.pop("_author_ids", None)
        _log(guide, by, Action.AUTHOR_ADDED, author.profile.display_name)
    return guide


@transaction.atomic
def submit_for_review(*, guide: Guide, by: User, note: str = "") -> Guide:
    note = _note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require(access.is_author(by, guide), _("Only the guide's authors send it for review."))
    if guide.status != Status.DRAFT:
        raise GuideError(_("Only a draft can be sent for review."), code="not_draft")
    guide.status = Status.REVIEW
    guide.save(update_fields=["status", "updated_at"])
    _log(guide, by, Action.SUBMITTED, note.strip())
    notifications.tell(
        kind="submitted",
        guide=guide,
        users=notifications.coordinators(guide) + list(access.agency_reviewers(guide)),
        actor=by,
        text=note.strip(),
    )
    return guide


@transaction.atomic
def comment(*, guide: Guide, by: User, text: str) -> ReviewComment:
    """Authors and coordinators talk about the guide on its review trail."""
    text = _text(text, ReviewComment, "text")
    _require(access.can_manage(by, guide), _("Only authors and coordinators comment here."))
    text = text.strip()
    if not text:
        raise GuideError(_("Write a comment first."), code="empty")
    entry = _log(guide, by, Action.COMMENT, text)
    people = notifications.authors(guide) + notifications.coordinators(guide)
    notifications.tell(kind="comment", guide=guide, users=people, actor=by, text=text)
    return entry


# --- Review and publishing (coordinators) ------------------------------------------------


def _require_coordinator(guide: Guide, by: User) -> None:
    _require(access.is_coordinator(by, guide), _("Only the cluster's coordinators review guides."))


def _require_reviewer(guide: Guide, by: User) -> None:
    if access.can_review(by, guide):
        return
    if access.is_coordinator(by, guide) and access.is_author(by, guide):
        raise NotAllowed(_("Another coordinator reviews a guide you wrote."), code="own_guide")
    raise NotAllowed(_("Only the cluster's coordinators review guides."), code="not_allowed")


@transaction.atomic
def return_to_authors(*, guide: Guide, by: User, note: str) -> Guide:
    note = _note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require_reviewer(guide, by)
    if guide.status != Status.REVIEW:
        raise GuideError(_("Only a guide in review can be returned."), code="not_in_review")
    if not note.strip():
        raise GuideError(_("Tell the authors what to change."), code="empty")
    guide.status = Status.DRAFT
    guide.save(update_fields=["status", "updated_at"])
    _log(guide, by, Action.RETURNED, note.strip())
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
        raise GuideError(_("The date to check again must be in the future."), code="bad_date")
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
    note = _text(note, GuideVersion, "note")
    guide = Guide.objects.select_for_update().select_related("cluster").get(pk=guide.pk)
    # Four eyes: another coordinator, or where every coordinator wrote it the sponsoring
    # agency's officers (access.can_review). With neither, a sole coordinator publishes their
    # own guide and the trail says so (incentives still wait for someone else to confirm).
    _require_reviewer(guide, by)
    unreviewed = access.is_author(by, guide)
    if guide.status != Status.REVIEW:
        raise GuideError(_("Only a guide in review can be published."), code="not_in_review")
    note = note.strip()
    if guide.current_version_id and not note:
        raise GuideError(_("Say what changed and why."), code="no_note")
    if visibility is not None and visibility not in Guide.Visibility.values:
        raise GuideError(_("Choose who sees the guide."), code="bad_visibility")
    latest = guide.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = GuideVersion.objects.create(
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
    _log(guide, by, Action.PUBLISHED, note)
    credits.guide_published(guide=guide, by=by)
    notifications.tell(kind="published", guide=guide, users=notifications.authors(guide), actor=by)
    return version


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
    note = _note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require(
        access.can_manage(by, guide),
        _("Only the guide's authors and coordinators confirm it."),
    )
    if guide.current_version_id is None or guide.status == Status.ARCHIVED:
        raise GuideError(_("Only a published guide can be confirmed."), code="not_published")
    guide.check_by = _check_by(check_by)
    guide.reminded_for = None
    if guide.status == Status.NEEDS_REVIEW:
        guide.status = Status.PUBLISHED
    guide.save(update_fields=["check_by", "reminded_for", "status", "updated_at"])
    _log(guide, by, Action.CONFIRMED, note.strip())
    return guide


@transaction.atomic
def flag_for_review(*, guide: Guide, by: User | None, note: str = "") -> Guide:
    """Published but in doubt: readers are warned until it is confirmed or updated."""
    note = _note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    if by is not None:
        _require_coordinator(guide, by)
    if guide.status != Status.PUBLISHED:
        raise GuideError(_("Only a published guide can be marked for review."), code="state")
    guide.status = Status.NEEDS_REVIEW
    guide.save(update_fields=["status", "updated_at"])
    _log(guide, by, Action.FLAGGED, note.strip())
    return guide


@transaction.atomic
def archive(*, guide: Guide, by: User, note: str = "") -> Guide:
    """Out of the library and the search; the link keeps working with a notice."""
    note = _note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    _require_coordinator(guide, by)
    if guide.status == Status.ARCHIVED:
        return guide
    guide.status = Status.ARCHIVED
    guide.save(update_fields=["status", "updated_at"])
    _log(guide, by, Action.ARCHIVED, note.strip())
    return guide


# --- From the forums ---------------------------------------------------------------------


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def _name(user: User | None) -> str:
    return user.profile.display_name if user is not None else str(_("a former member"))


@transaction.atomic
def promote_answer(*, post: Post, by: User) -> Guide:
    """A draft guide quoting the question and its accepted answer, credited and linked back.

    One guide per answer: promoting it again returns the guide already started.
    """
    topic = Topic.objects.select_related("room").get(pk=post.topic_id)  # the answer as it is now
    room = topic.room
    if not room.is_forum or topic.accepted_post_id != post.pk or post.is_hidden:
        raise GuideError(_("Only a forum's accepted answer can become a guide."), "not_accepted")
    _require(
        access.can_write_in(by, room.cluster_id),
        _("Only the cluster's mentors and coordinators write guides."),
    )
    existing = Guide.objects.filter(promoted_from=post).first()
    if existing is not None:
        return existing
    question = topic.posts.select_related("author__profile").order_by("id").first()
    if question is not None and question.is_hidden:
        question = None
    # Filed under the language the exchange was written in, not that of the promoter's pages,
    # and introduced in that language too.
    page_language = (get_language() or "es")[:2]
    if page_language not in dict(catalogue.LANGUAGES):
        page_language = "es"
    quoted = [question.body] if question is not None else []
    language = catalogue.guess_language(" ".join([*quoted, post.body]), default=page_language)
    with translation.override(LOCALES.get(language, language)):
        parts = []
        if question is not None:
            parts.append(
                _("**Question** by %(name)s, %(date)s:")
                % {"name": _name(question.author), "date": question.created_at.date().isoformat()}
                + "\n\n"
                + _quote(question.body)
            )
        parts.append(
            _("**Accepted answer** by %(name)s, %(date)s:")
            % {"name": _name(post.author), "date": post.created_at.date().isoformat()}
            + "\n\n"
            + _quote(post.body)
        )
        # A link within the site: it keeps working wherever the site is served from.
        link = post.get_absolute_url()
        parts.append(_("[Read the whole discussion in the forum](%(url)s)") % {"url": link})
        summary = str(
            _("From %(name)s's accepted answer in the forum, to be turned into a guide.")
            % {"name": _name(post.author)}
        )
        body = "\n\n".join(str(part) for part in parts)
    facets = catalogue.read_tags([tag.slug for tag in topic.tags.all()])
    guide = create_guide(
        cluster_id=room.cluster_id,
        by=by,
        title=topic.title,
        summary=summary,
        body=body,
        language=language,
        **facets,
    )
    guide.promoted_from = post
    guide.save(update_fields=["promoted_from"])
    if post.author is not None and access.can_write_in(post.author, room.cluster_id):
        guide.authors.add(post.author)  # whose know-how it is shares the credit
    return guide


# --- Readers -----------------------------------------------------------------------------


@transaction.atomic
def mark_useful(*, guide: Guide, by: User) -> bool:
    """Once per reader; False when this reader had already marked it."""
    if not by.is_authenticated or not access.can_read(by, guide) or not guide.is_listed:
        raise GuideError(_("Only a published guide you can read can be marked."), code="state")
    if access.is_author(by, guide):
        raise GuideError(_("You cannot mark your own guide as useful."), code="own_guide")
    try:
        with transaction.atomic():
            mark = UsefulMark.objects.create(guide=guide, reader=by)
    except IntegrityError:
        return False  # already counted; a second click changes nothing
    Guide.objects.filter(pk=guide.pk).update(useful_count=F("useful_count") + 1)
    credits.marked_useful(guide=guide, mark=mark)
    return True


@transaction.atomic
def suggest_correction(*, guide: Guide, by: User, text: str) -> CorrectionSuggestion:
    text = _text(text, CorrectionSuggestion, "text")
    if not by.is_authenticated or not access.can_read(by, guide) or not guide.is_listed:
        raise GuideError(_("Only a published guide you can read takes corrections."), "state")
    text = text.strip()
    if not text:
        raise GuideError(_("Say what should change."), code="empty")
    suggestion = CorrectionSuggestion.objects.create(
        guide=guide, version_id=guide.current_version_id, author=by, text=text
    )
    notifications.tell(
        kind="correction", guide=guide, users=notifications.authors(guide), actor=by, text=text
    )
    return suggestion


@transaction.atomic
def resolve_correction(
    *, suggestion: CorrectionSuggestion, by: User, accepted: bool
) -> CorrectionSuggestion:
    suggestion = CorrectionSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    _require(
        access.can_manage(by, suggestion.guide),
        _("Only the guide's authors and coordinators answer corrections."),
    )
    if suggestion.status == CorrectionSuggestion.Status.OPEN:
        Status_ = CorrectionSuggestion.Status
        suggestion.status = Status_.ACCEPTED if accepted else Status_.DISMISSED
        suggestion.resolved_by = by
        suggestion.resolved_at = timezone.now()
        suggestion.save(update_fields=["status", "resolved_by", "resolved_at"])
    return suggestion


# --- Check again by ----------------------------------------------------------------------


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


@transaction.atomic
def forget_erased_member(*, user: User) -> int:
    """A member erased their account: drafts only they wrote, never published, go with it.
    Published guides and co-written drafts stay, credited to a former member. Returns how
    many drafts went."""
    drafts = Guide.objects.filter(
        authors=user, status=Guide.Status.DRAFT, current_version__isnull=True
    ).exclude(authors__in=User.objects.exclude(pk=user.pk))
    gone = list(drafts.values_list("pk", flat=True))
    for guide in Guide.objects.filter(pk__in=gone):
        guide.authors.clear()
        guide.delete()
    return len(gone)
