"""Agencies sponsoring clusters: one side proposes, the other accepts, either side ends it.

A coordinator asks an agency, or an agency's officer offers to a cluster; nothing about the
agency shows on the cluster, and the cluster is not the agency's to fund, until the other
side accepts. Each step is kept on the sponsorship row and in the cluster's trail, and the
other side is told.
"""

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from network import notify, selectors
from network.models import Cluster, MembershipEvent, Organization, Sponsorship, User
from network.services.memberships import record_event
from network.services.profiles import name_of

Status = Sponsorship.Status
Side = Sponsorship.Side
Action = MembershipEvent.Action


def _on_side(user: User, sponsorship: Sponsorship, side: str) -> bool:
    if side == Side.CLUSTER:
        return selectors.is_coordinator(user=user, cluster=sponsorship.cluster)
    agency = selectors.agency_of(user)
    return agency is not None and agency.pk == sponsorship.agency_id


def _people_of(sponsorship: Sponsorship, side: str) -> list[User]:
    if side == Side.CLUSTER:
        return selectors.coordinators_of(sponsorship.cluster)
    return selectors.officers_of(sponsorship.agency)


def _other(side: str) -> str:
    return Side.AGENCY if side == Side.CLUSTER else Side.CLUSTER


def _tell(*, sponsorship: Sponsorship, side: str, event: str, by: User, text: str) -> None:
    """Email the people of one side and nudge their open pages."""
    cluster, agency = sponsorship.cluster, sponsorship.agency
    if side == Side.CLUSTER:
        path = reverse("cluster_manage", args=[cluster.slug]) + "#sponsorship"
    else:
        path = reverse("agency_sponsorships")
    notify.tell(
        users=[user for user in _people_of(sponsorship, side) if user.pk != by.pk],
        template="network/email/sponsorship",
        context={
            "event": event,
            "cluster_name": cluster.name,
            "agency_name": agency.name,
            "actor": name_of(by),
            "url": notify.absolute_url(path),
        },
        event={"type": f"sponsorship_{event}", "text": text, "url": path},
    )


def _log(*, sponsorship: Sponsorship, action: str, by: User) -> None:
    record_event(
        cluster=sponsorship.cluster, action=action, actor=by, detail=sponsorship.agency.name[:300]
    )


def _propose(*, cluster: Cluster, agency: Organization, by: User, side: str) -> Sponsorship:
    # One proposal at a time per cluster: the row lock orders two people's clicks.
    Cluster.objects.select_for_update().filter(pk=cluster.pk).first()
    existing = Sponsorship.objects.filter(
        cluster=cluster, agency=agency, status__in=Sponsorship.OPEN
    ).first()
    names = {"agency": agency.name, "cluster": cluster.name}
    if existing is not None:
        if existing.is_active:
            raise DomainError(_("%(agency)s already sponsors %(cluster)s.") % names)
        if existing.proposed_by_side == side:
            raise DomainError(
                _("The proposal to %(agency)s is already waiting for an answer.") % names
                if side == Side.CLUSTER
                else _("The offer to %(cluster)s is already waiting for an answer.") % names
            )
        raise DomainError(
            _("%(agency)s has already offered to sponsor %(cluster)s: accept the offer instead.")
            % names
            if side == Side.CLUSTER
            else _(
                "%(cluster)s has already asked for your sponsorship: accept the request instead."
            )
            % names
        )
    try:
        with transaction.atomic():
            return Sponsorship.objects.create(
                cluster=cluster,
                agency=agency,
                status=Status.REQUESTED if side == Side.CLUSTER else Status.OFFERED,
                proposed_by_side=side,
                requested_by=by,
            )
    except IntegrityError:
        raise DomainError(gettext_lazy("This sponsorship was just proposed; reload.")) from None


@transaction.atomic
def request_sponsorship(*, cluster: Cluster, agency: Organization, by: User) -> Sponsorship:
    """A coordinator asks an agency to sponsor their cluster; its officers decide."""
    if not selectors.is_coordinator(user=by, cluster=cluster):
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators can do this."))
    if not agency.is_agency:
        raise DomainError(gettext_lazy("Choose an export-promotion agency from the list."))
    sponsorship = _propose(cluster=cluster, agency=agency, by=by, side=Side.CLUSTER)
    _log(sponsorship=sponsorship, action=Action.SPONSORSHIP_REQUESTED, by=by)
    _tell(
        sponsorship=sponsorship,
        side=Side.AGENCY,
        event="requested",
        by=by,
        text=_("%(cluster)s asks %(agency)s for sponsorship.")
        % {"cluster": cluster.name, "agency": agency.name},
    )
    return sponsorship


@transaction.atomic
def offer_sponsorship(*, cluster: Cluster, by: User) -> Sponsorship:
    """An agency's officer offers to sponsor a cluster they can see; its coordinators decide."""
    agency = selectors.agency_of(by)
    if agency is None:
        raise NotAllowed(gettext_lazy("Only officers of an export-promotion agency can do this."))
    # A private cluster is offered nothing by those it keeps out: they do not know of it.
    if not selectors.visible_clusters(by).filter(pk=cluster.pk).exists():
        raise NotAllowed(gettext_lazy("There is no such cluster."))
    sponsorship = _propose(cluster=cluster, agency=agency, by=by, side=Side.AGENCY)
    _log(sponsorship=sponsorship, action=Action.SPONSORSHIP_OFFERED, by=by)
    _tell(
        sponsorship=sponsorship,
        side=Side.CLUSTER,
        event="offered",
        by=by,
        text=_("%(agency)s offers to sponsor %(cluster)s.")
        % {"cluster": cluster.name, "agency": agency.name},
    )
    return sponsorship


def _locked(sponsorship: Sponsorship) -> Sponsorship:
    return (
        Sponsorship.objects.select_for_update(of=("self",))
        .select_related("cluster", "agency")
        .get(pk=sponsorship.pk)
    )


def _require_decider(sponsorship: Sponsorship, by: User) -> None:
    if not _on_side(by, sponsorship, sponsorship.deciding_side):
        raise NotAllowed(
            gettext_lazy("Only the cluster's coordinators can answer this.")
            if sponsorship.deciding_side == Side.CLUSTER
            else gettext_lazy("Only the agency's officers can answer this.")
        )
    # Someone who is on both sides does not make an agreement with themself.
    if sponsorship.requested_by_id == by.pk:
        raise NotAllowed(gettext_lazy("Someone else on the other side must answer this."))


def _decide(*, sponsorship: Sponsorship, by: User, status: str, action: str, event: str, text):
    """The side that did not propose answers a pending proposal; the same answer twice is a
    no-op, a different one after the first is refused."""
    sponsorship = _locked(sponsorship)
    _require_decider(sponsorship, by)
    if sponsorship.status == status:
        return sponsorship
    if not sponsorship.is_pending:
        raise DomainError(gettext_lazy("This proposal has already been answered or withdrawn."))
    sponsorship.status = status
    sponsorship.decided_by, sponsorship.decided_at = by, timezone.now()
    sponsorship.save(update_fields=["status", "decided_by", "decided_at"])
    _log(sponsorship=sponsorship, action=action, by=by)
    names = {"cluster": sponsorship.cluster.name, "agency": sponsorship.agency.name}
    _tell(
        sponsorship=sponsorship,
        side=sponsorship.proposed_by_side,
        event=event,
        by=by,
        text=text % names,
    )
    return sponsorship


@transaction.atomic
def accept_sponsorship(*, sponsorship: Sponsorship, by: User) -> Sponsorship:
    """The side that did not propose accepts: the agency now sponsors the cluster."""
    return _decide(
        sponsorship=sponsorship,
        by=by,
        status=Status.ACTIVE,
        action=Action.SPONSORSHIP_ACCEPTED,
        event="accepted",
        text=_("%(agency)s now sponsors %(cluster)s."),
    )


@transaction.atomic
def decline_sponsorship(*, sponsorship: Sponsorship, by: User) -> Sponsorship:
    return _decide(
        sponsorship=sponsorship,
        by=by,
        status=Status.DECLINED,
        action=Action.SPONSORSHIP_DECLINED,
        event="declined",
        text=_("The sponsorship of %(cluster)s by %(agency)s was declined."),
    )


@transaction.atomic
def revoke_sponsorship(*, sponsorship: Sponsorship, by: User) -> Sponsorship:
    """Either side ends an active sponsorship; the proposing side withdraws a pending one."""
    sponsorship = _locked(sponsorship)
    if sponsorship.is_pending:
        return _withdraw(sponsorship, by)
    by_cluster = _on_side(by, sponsorship, Side.CLUSTER)
    if not by_cluster and not _on_side(by, sponsorship, Side.AGENCY):
        raise NotAllowed(
            gettext_lazy("Only the cluster's coordinators or the agency's officers can do this.")
        )
    if sponsorship.status in (Status.REVOKED, Status.WITHDRAWN):
        return sponsorship  # ended already: nothing more to do
    if not sponsorship.is_active:
        raise DomainError(gettext_lazy("This sponsorship is not active."))
    sponsorship.status = Status.REVOKED
    sponsorship.revoked_by, sponsorship.revoked_at = by, timezone.now()
    sponsorship.save(update_fields=["status", "revoked_by", "revoked_at"])
    _log(sponsorship=sponsorship, action=Action.SPONSORSHIP_REVOKED, by=by)
    _tell(
        sponsorship=sponsorship,
        side=Side.AGENCY if by_cluster else Side.CLUSTER,
        event="revoked",
        by=by,
        text=_("%(agency)s no longer sponsors %(cluster)s.")
        % {"cluster": sponsorship.cluster.name, "agency": sponsorship.agency.name},
    )
    return sponsorship


def _withdraw(sponsorship: Sponsorship, by: User) -> Sponsorship:
    if not _on_side(by, sponsorship, sponsorship.proposed_by_side):
        raise NotAllowed(gettext_lazy("Only the side that proposed it can withdraw it."))
    sponsorship.status = Status.WITHDRAWN
    sponsorship.decided_by, sponsorship.decided_at = by, timezone.now()
    sponsorship.save(update_fields=["status", "decided_by", "decided_at"])
    _log(sponsorship=sponsorship, action=Action.SPONSORSHIP_WITHDRAWN, by=by)
    _tell(
        sponsorship=sponsorship,
        side=sponsorship.deciding_side,
        event="withdrawn",
        by=by,
        text=_("The proposal that %(agency)s sponsor %(cluster)s was withdrawn.")
        % {"cluster": sponsorship.cluster.name, "agency": sponsorship.agency.name},
    )
    return sponsorship
