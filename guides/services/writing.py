"""Writing a guide: its draft, its facets, its authors, and sending it for review."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import hs
from core.errors import DomainError
from guides import access, catalogue, notifications
from guides.catalogue import GuideTopic
from guides.models import Guide
from guides.services._shared import Action, Status, clean_field, clean_note, log, require
from network.models import User


def clean_facets(
    *, products: Iterable[str], markets: Iterable[str], topics: Iterable[str]
) -> dict[str, list[str]]:
    """Known HS codes, markets and topics, each once, in the order given."""
    products = list(dict.fromkeys(code.strip() for code in products if code.strip()))
    for code in products:
        if not hs.is_code(code):
            raise DomainError(
                _("%(code)s is not an HS chapter (2 digits) or heading (4 digits).")
                % {"code": code},
                code="bad_product",
            )
    markets = list(dict.fromkeys(markets))
    if any(not catalogue.is_market(code) for code in markets):
        raise DomainError(_("Choose markets from the list."), code="bad_market")
    topics = list(dict.fromkeys(topics))
    if any(topic not in GuideTopic.values for topic in topics):
        raise DomainError(_("Choose topics from the list."), code="bad_topic")
    if len(products) > 10 or len(markets) > 10:
        raise DomainError(_("At most 10 products and 10 markets."), code="too_many")
    return {"products": products, "markets": markets, "topics": topics}


def _content(title: str, summary: str, body: str, language: str) -> dict[str, str]:
    title, summary = clean_field(title, Guide, "title"), clean_field(summary, Guide, "summary")
    body = clean_field(body, Guide, "body")
    if not (title and summary and body):
        raise DomainError(_("A guide needs a title, a summary and its text."), code="empty")
    if language not in dict(catalogue.LANGUAGES):
        raise DomainError(_("Choose the guide's language."), code="bad_language")
    return {"title": title, "summary": summary, "body": body, "language": language}


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
    require(
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
    log(guide, by, Action.CREATED)
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
    require(access.is_author(by, guide), _("Only the guide's authors can edit it."))
    if guide.status == Status.REVIEW:
        raise DomainError(
            _("The guide is in review: a coordinator returns it before it can change."),
            code="in_review",
        )
    if guide.status == Status.ARCHIVED:
        raise DomainError(_("An archived guide cannot be edited."), code="archived")
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
    require(access.is_author(by, guide), _("Only the guide's authors can add an author."))
    if not access.can_write_in(author, guide.cluster_id):
        raise DomainError(
            _("Authors are mentors or coordinators of the guide's cluster."), code="bad_author"
        )
    if not access.is_author(author, guide):
        guide.authors.add(author)
        guide.__dict__.pop("_author_ids", None)
        log(guide, by, Action.AUTHOR_ADDED, author.profile.display_name)
    return guide


@transaction.atomic
def submit_for_review(*, guide: Guide, by: User, note: str = "") -> Guide:
    note = clean_note(note)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    require(access.is_author(by, guide), _("Only the guide's authors send it for review."))
    if guide.status != Status.DRAFT:
        raise DomainError(_("Only a draft can be sent for review."), code="not_draft")
    guide.status = Status.REVIEW
    guide.save(update_fields=["status", "updated_at"])
    log(guide, by, Action.SUBMITTED, note.strip())
    notifications.tell(
        kind="submitted",
        guide=guide,
        users=notifications.coordinators(guide) + list(access.agency_reviewers(guide)),
        actor=by,
        text=note.strip(),
    )
    return guide


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
