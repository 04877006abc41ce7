"""Referrals between agencies: the firms an officer may refer, the programmes they may refer
them to, and the referrals each agency and each firm follows. Nobody else sees one."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from incentives.models import Programme, Referral, ReferralEvent
from network.models import Membership, Organization, User
from network.selectors import agency_of, sponsored_clusters


def referable_firms(agency: Organization) -> QuerySet[Organization]:
    """Firms with someone active in a cluster the agency sponsors (alone or with others)."""
    members = Membership.objects.active().filter(cluster__in=sponsored_clusters(agency))
    return Organization.objects.filter(
        kind=Organization.Kind.FIRM,
        pk__in=members.values("user__profile__organization"),
    ).order_by("name", "id")


def referable_programmes(agency: Organization) -> QuerySet[Programme]:
    """Other agencies' programmes not yet ended. The referring officer reads their name,
    kind, dates and agency only: never their money."""
    return (
        Programme.objects.exclude(agency=agency)
        .filter(ends_on__gte=timezone.localdate())
        .select_related("agency")
        .order_by("agency__name", "name", "id")
    )


def people_of(firm: Organization) -> QuerySet[User]:
    """The firm's own people whose accounts are in use: those told of its referrals."""
    return User.objects.filter(profile__organization=firm, is_active=True, erased_at__isnull=True)


def _shaped(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "firm", "programme__agency", "referring_agency", "referred_by__profile"
    )


@dataclass
class AgencyReferrals:
    sent: list[Referral]
    received: list[Referral]


def agency_referrals(
    agency: Organization, *, state: str = "", limit: int = 100
) -> AgencyReferrals:
    """The referrals the agency sent and those sent to its programmes, newest change first,
    in one state if `state` names one."""
    rows = _shaped(Referral.objects.all())
    if state in Referral.State.values:
        rows = rows.filter(state=state)
    return AgencyReferrals(
        sent=list(rows.filter(referring_agency=agency)[:limit]),
        received=list(rows.filter(programme__agency=agency)[:limit]),
    )


def referral_for(user: User, referral_id: int) -> Referral:
    """The referral, to an officer of the agency that sent it or of the one it was sent to;
    404 for everyone else."""
    agency = agency_of(user)
    if agency is None:
        raise Http404
    referral = (
        _shaped(Referral.objects.filter(pk=referral_id))
        .filter(Q(referring_agency=agency) | Q(programme__agency=agency))
        .first()
    )
    if referral is None:
        raise Http404
    return referral


def referral_events(referral: Referral) -> list[ReferralEvent]:
    return list(referral.events.select_related("by__profile", "agency").order_by("at", "id"))


def firm_referral_events(firm: Organization, *, limit: int = 20) -> list[ReferralEvent]:
    """Each step of the firm's referrals, newest first: for its own people's history."""
    return list(
        ReferralEvent.objects.filter(referral__firm=firm)
        .select_related(
            "referral__programme__agency", "referral__referring_agency", "by__profile", "agency"
        )
        .order_by("-at", "-id")[:limit]
    )
