"""Inviting followers whose firm has become an exporter to mentor the next cohort.

A firm that exported in one year and again the next (recorded by its people here, or found
in an agency's customs records for the firm: evidence calls `invite_exporter`) has know-how
to pass on. Each of its people who follows in a cluster is invited once, ever: the unique
user of the invitation makes a second one impossible even when two checks race, and a
declined invitation is never sent again.
"""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from mentoring.models import ExportRecord, MentorInvitation, Pairing
from network import notify
from network.models import Membership, Organization, User

Status = MentorInvitation.Status
Source = MentorInvitation.Source

# What the invitation pre-fills: the products and markets exported most recently first.
SHOWN_PRODUCTS = 10
SHOWN_MARKETS = 10


def exports_again(years: Iterable[int]) -> bool:
    """Whether a firm exported in some year and again the following one."""
    seen = set(years)
    return any(year + 1 in seen for year in seen)


def _most_recent_first(exports: list[tuple[int, str, str]], index: int, limit: int) -> list[str]:
    chosen: list[str] = []
    for export in sorted(exports, key=lambda e: (-e[0], e[index])):
        value = str(export[index]).strip().upper()
        if value and value not in chosen:
            chosen.append(value)
    return chosen[:limit]


def _cluster_for(user: User, memberships: list[Membership]):
    """Where the person is invited to mentor: the cluster they were last mentored in, or the
    first of the clusters they follow."""
    clusters = {membership.cluster_id: membership.cluster for membership in memberships}
    last = (
        Pairing.objects.filter(follower=user, cluster_id__in=clusters, started_at__isnull=False)
        .order_by("-started_at")
        .values_list("cluster_id", flat=True)
        .first()
    )
    if last is not None:
        return clusters[last]
    return sorted(clusters.values(), key=lambda cluster: (cluster.name, cluster.pk))[0]


def _invitable(organization: Organization) -> dict[User, list[Membership]]:
    """The firm's people who follow in a cluster and were never invited."""
    memberships = (
        Membership.objects.followers()
        .filter(user__profile__organization=organization, user__is_active=True)
        .exclude(user__mentor_invitation__isnull=False)
        .select_related("user", "cluster")
        .order_by("user_id", "cluster__name")
    )
    people: dict[User, list[Membership]] = {}
    for membership in memberships:
        people.setdefault(membership.user, []).append(membership)
    return people


def _tell(invitation: MentorInvitation) -> None:
    url = reverse("mentoring:offer", args=[invitation.cluster.slug])
    notify.tell(
        users=[invitation.user],
        template="mentoring/email/mentor_invitation",
        context={
            "cluster_name": invitation.cluster.name,
            "organization": invitation.organization.name,
            "products": ", ".join(invitation.products),
            "markets": ", ".join(invitation.markets),
            "url": notify.absolute_url(url),
            "home_url": notify.absolute_url(reverse("mentoring:home")),
        },
        event={
            "type": "mentor_invitation",
            "text": _("Your firm exports now: will you mentor the next cohort in %(cluster)s?")
            % {"cluster": invitation.cluster.name},
            "url": url,
        },
    )


def invite_exporter(
    *, organization: Organization, exports: Iterable[tuple[int, str, str]], source: str
) -> list[MentorInvitation]:
    """Invite the firm's followers to mentor when `exports` ((year, HS code, country) rows of
    the firm) show it exported one year and again the next. Returns the invitations sent now
    (none when the firm does not qualify or everyone was invited before)."""
    if source not in Source.values:
        raise ValueError(f"Unknown source {source!r}")
    exports = [(int(year), str(hs_code), str(country)) for year, hs_code, country in exports]
    if not exports_again(year for year, _hs, _country in exports):
        return []
    products = _most_recent_first(exports, 1, SHOWN_PRODUCTS)
    markets = _most_recent_first(exports, 2, SHOWN_MARKETS)
    sent = []
    for user, memberships in _invitable(organization).items():
        try:
            with transaction.atomic():
                invitation = MentorInvitation.objects.create(
                    user=user,
                    organization=organization,
                    cluster=_cluster_for(user, memberships),
                    products=products,
                    markets=markets,
                    source=source,
                )
        except IntegrityError:
            continue  # invited by a racing check: one invitation, ever
        _tell(invitation)
        sent.append(invitation)
    return sent


def invite_from_records(*, organization: Organization) -> list[MentorInvitation]:
    """The check run when a firm's people record an export."""
    exports = ExportRecord.objects.filter(organization=organization).values_list(
        "year", "hs_code", "country"
    )
    return invite_exporter(
        organization=organization, exports=list(exports), source=Source.RECORDED
    )


def invite_all_from_records() -> int:
    """The daily sweep over recorded exports (records kept before this check existed)."""
    sent = 0
    organizations = (
        ExportRecord.objects.filter(
            organization__people__user__memberships__role=Membership.Role.FOLLOWER,
            organization__people__user__memberships__status=Membership.Status.ACTIVE,
            organization__people__user__mentor_invitation__isnull=True,
        )
        .values_list("organization_id", flat=True)
        .distinct()
    )
    for organization in Organization.objects.filter(pk__in=list(organizations)):
        sent += len(invite_from_records(organization=organization))
    return sent


def _locked_own(invitation: MentorInvitation, by: User) -> MentorInvitation:
    invitation = MentorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.user_id != by.pk:
        raise NotAllowed(gettext_lazy("Only the person invited can answer this invitation."))
    return invitation


@transaction.atomic
def decline_invitation(*, invitation: MentorInvitation, by: User) -> MentorInvitation:
    """No thanks: the invitation is kept, declined, so it is never sent again."""
    invitation = _locked_own(invitation, by)
    if invitation.status == Status.ACCEPTED:
        raise DomainError(gettext_lazy("You already accepted this invitation."))
    if invitation.status == Status.PENDING:
        invitation.status = Status.DECLINED
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "decided_at"])
    return invitation


def accept_invitation(*, user: User, cluster) -> MentorInvitation | None:
    """Saving an offer in the invitation's cluster accepts it (called by save_offer)."""
    invitation = (
        MentorInvitation.objects.select_for_update()
        .filter(user=user, cluster=cluster, status=Status.PENDING)
        .first()
    )
    if invitation is not None:
        invitation.status = Status.ACCEPTED
        invitation.decided_at = timezone.now()
        invitation.save(update_fields=["status", "decided_at"])
    return invitation
