"""Programmes and who runs them: an agency's officers, and the programmes each may see."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.compiled import compiled_read
from core.converters import MAX_ID
from core.errors import NotAllowed
from incentives.models import Account, LedgerEntry, PeriodApproval, Programme, Rule
from network.models import Cluster, Organization, Sponsorship, User
from network.selectors import agency_of, sponsored_clusters


def is_officer(user: User, programme: Programme) -> bool:
    agency = agency_of(user)
    return agency is not None and agency.pk == programme.agency_id


def require_officer(user: User, programme: Programme) -> None:
    if not is_officer(user, programme):
        raise NotAllowed(gettext_lazy("Only the sponsoring agency's officers can do this."))


def programmes_of(user: User) -> QuerySet[Programme]:
    agency = agency_of(user)
    if agency is None:
        return Programme.objects.none()
    return Programme.objects.filter(agency=agency)


def programme_by_id(programme_id: int) -> Programme | None:
    """For batch use outside requests (management commands): no viewer to check."""
    return Programme.objects.filter(pk=programme_id).first()


def programmes_of_agency(
    agency: Organization, *, limit: int, ending_last: bool = False
) -> list[Programme]:
    """The agency's first `limit` programmes: the latest started first or, with
    `ending_last`, those ending last."""
    return _agency_programmes(agency=agency.pk, limit=limit, ending_last=ending_last)


@compiled_read(shape=("limit", "ending_last"))
def _agency_programmes(p, *, limit: int, ending_last: bool):
    programmes = Programme.objects.filter(agency=p.agency)
    return (programmes.order_by("-ends_on", "name", "pk") if ending_last else programmes)[:limit]


def programme_for(user: User, programme_id: int) -> Programme:
    """The programme if the viewer is an officer of its agency; 404 for everyone else."""
    # An id no column holds names nothing (the API's paths take any integer).
    found = _programme(programme=programme_id) if 0 < programme_id <= MAX_ID else []
    if not found or not user.is_authenticated or not is_officer(user, found[0]):
        raise Http404
    return found[0]


@compiled_read()
def _programme(p):
    return Programme.objects.select_related("agency").filter(pk=p.programme)


def approvals_of(programme: Programme, *, limit: int) -> list[PeriodApproval]:
    """The programme's latest approved months, with who approved each."""
    return _approvals(programme=programme.pk, limit=limit)


@compiled_read(shape=("limit",))
def _approvals(p, *, limit: int):
    approvals = PeriodApproval.objects.filter(programme=p.programme)
    return approvals.select_related("approved_by__profile").order_by("-month")[:limit]


def erasure_refusals(user: User) -> list:
    """An agency's only officer cannot erase their account while its programmes run or owe
    members credits not yet paid: nobody would be left to approve and pay them. Another
    officer joins first."""
    agency = agency_of(user)
    if agency is None:
        return []
    colleagues = User.objects.filter(
        profile__organization=agency, is_active=True, erased_at__isnull=True
    ).exclude(pk=user.pk)
    running = Programme.objects.filter(agency=agency, ends_on__gte=timezone.localdate())
    unpaid = Account.objects.filter(
        programme__agency=agency, kind=Account.Kind.MEMBER, balance__gt=0
    )
    if colleagues.exists() or not (running.exists() or unpaid.exists()):
        return []
    return [
        _(
            "You are the only officer of %(agency)s, whose programmes are still running or "
            "owe members credits not yet paid. "
            "Ask another officer of the agency to join Pioneros first, so members' credits "
            "can still be approved and paid."
        )
        % {"agency": agency.name}
    ]


@dataclass
class CoSponsoredProgramme:
    """Another agency's programme as a co-sponsor sees it: never its money unless shared."""

    programme: Programme
    activities: list[str]
    # Only when its agency shares figures with co-sponsors: budget and net credited.
    budget: Decimal | None = None
    credited: Decimal | None = None


@dataclass
class CoSponsor:
    cluster: Cluster
    agency: Organization
    programmes: list[CoSponsoredProgramme] = field(default_factory=list)


def co_sponsors(user: User, clusters=None) -> list[CoSponsor]:
    """In each cluster the viewer's agency sponsors (of `clusters`, if given), every other
    agency sponsoring it too, with its programmes covering that cluster: name, kind, dates
    and the activities its active rules reward. Budgets and credits appear only for a
    programme whose agency shares figures with co-sponsors. Empty for anyone not an officer.
    """
    agency = agency_of(user)
    if agency is None:
        return []
    mine = sponsored_clusters(agency)
    if clusters is not None:
        mine = mine.filter(pk__in=[cluster.pk for cluster in clusters])
    mine = list(mine)
    others = (
        Sponsorship.objects.filter(cluster__in=mine, status=Sponsorship.Status.ACTIVE)
        .exclude(agency=agency)
        .select_related("agency", "cluster")
        .order_by("cluster__name", "cluster_id", "decided_at", "agency_id")
    )
    found = [CoSponsor(cluster=s.cluster, agency=s.agency) for s in others]
    if not found:
        return []
    programmes = (
        Programme.objects.filter(
            agency__in={c.agency.pk for c in found}, clusters__in={c.cluster.pk for c in found}
        )
        .prefetch_related(
            Prefetch("rules", queryset=Rule.objects.filter(is_active=True).order_by("kind")),
            "clusters",
        )
        .distinct()
        .order_by("starts_on", "id")
    )
    programmes = list(programmes)
    shared = [p.pk for p in programmes if p.share_figures]
    credited = dict(
        LedgerEntry.objects.filter(
            programme__in=shared, kind__in=[LedgerEntry.Kind.CREDIT, LedgerEntry.Kind.REVERSAL]
        )
        .values("programme")
        .annotate(t=Sum("amount", filter=Q(kind=LedgerEntry.Kind.CREDIT)))
        .values_list("programme", "t")
    )
    reversed_ = dict(
        LedgerEntry.objects.filter(programme__in=shared, kind=LedgerEntry.Kind.REVERSAL)
        .values("programme")
        .annotate(t=Sum("amount"))
        .values_list("programme", "t")
    )
    for co in found:
        for programme in programmes:
            covers = any(c.pk == co.cluster.pk for c in programme.clusters.all())
            if programme.agency_id != co.agency.pk or not covers:
                continue
            seen = CoSponsoredProgramme(
                programme=programme,
                activities=[rule.get_kind_display() for rule in programme.rules.all()],
            )
            if programme.share_figures:
                seen.budget = programme.budget
                seen.credited = (credited.get(programme.pk) or Decimal(0)) - (
                    reversed_.get(programme.pk) or Decimal(0)
                )
            co.programmes.append(seen)
    return found


def cluster_programmes(cluster: Cluster) -> list[Programme]:
    """The programmes running in a cluster, of every agency sponsoring it now: for its
    calendar, which shows their names, kinds and dates, never their money."""
    sponsors = Sponsorship.objects.filter(
        cluster=cluster, status=Sponsorship.Status.ACTIVE
    ).values("agency")
    return list(
        Programme.objects.filter(clusters=cluster, agency__in=sponsors)
        .select_related("agency")
        .order_by("starts_on", "id")
    )
