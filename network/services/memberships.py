"""A person's place in a cluster: asking to join, being admitted, changing role, being
suspended or reinstated, leaving; and the trail every membership change leaves."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from core.text import clean_text
from network import notify, selectors
from network.models import Cluster, Membership, MembershipEvent, User
from network.services.profiles import name_of
from network.signals import membership_ended

Role = Membership.Role
Status = Membership.Status
Action = MembershipEvent.Action

JOINABLE_ROLES = (Role.FOLLOWER, Role.MENTOR)


def require_coordinator(*, cluster: Cluster, by: User) -> None:
    """Refused (NotAllowed) unless `by` is an active coordinator of the cluster."""
    if not selectors.is_coordinator(user=by, cluster=cluster):
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators can do this."))


def set_status(membership: Membership, status: str, **fields) -> None:
    """Move a membership to `status` (setting `fields` too) and keep the cluster's count of
    active members true. When an active membership stops being active, `membership_ended`
    tells the apps that give members access, inside this transaction."""
    was_active = membership.status == Status.ACTIVE
    membership.status = status
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.save()
    is_active = status == Status.ACTIVE
    if was_active != is_active:
        Cluster.objects.filter(pk=membership.cluster_id).update(
            active_member_count=F("active_member_count") + (1 if is_active else -1)
        )
    if was_active and not is_active:
        membership_ended.send(sender=Membership, membership=membership)


def record_event(
    *, cluster: Cluster, action: str, actor=None, subject=None, email="", detail=""
) -> MembershipEvent:
    """One line in the cluster's membership trail, which its coordinators read."""
    return MembershipEvent.objects.create(
        cluster=cluster, action=action, actor=actor, subject=subject, email=email, detail=detail
    )


def _reason(reason: str) -> str:
    return clean_text(
        reason, model=MembershipEvent, field="detail", error=DomainError, label=_("reason")
    )


def _is_last_coordinator(membership: Membership) -> bool:
    return (
        membership.is_coordinator
        and not Membership.objects.coordinators()
        .in_cluster(membership.cluster)
        .exclude(pk=membership.pk)
        .exists()
    )


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("cluster", "user")
        .get(pk=membership.pk)
    )


# --- Join requests ------------------------------------------------------------------


@transaction.atomic
def request_to_join(*, cluster: Cluster, user: User, role: str, message: str = "") -> Membership:
    """Ask to join a public cluster as a follower or mentor; coordinators decide."""
    message = clean_text(message, model=Membership, field="message", error=DomainError)
    if not cluster.is_public:
        raise DomainError(gettext_lazy("This cluster takes members by invitation only."))
    if role not in JOINABLE_ROLES:
        raise DomainError(gettext_lazy("You can ask to join as a follower or as a mentor."))
    membership = Membership.objects.select_for_update().filter(cluster=cluster, user=user).first()
    if membership is not None and membership.status != Status.LEFT:
        raise DomainError(
            {
                Status.ACTIVE: gettext_lazy("You are already a member of this cluster."),
                Status.REQUESTED: gettext_lazy(
                    "Your request is already waiting for a coordinator."
                ),
                Status.INVITED: gettext_lazy(
                    "You are already invited: accept the invitation instead."
                ),
                Status.SUSPENDED: gettext_lazy(
                    "Your membership is suspended; talk to a coordinator."
                ),
            }[membership.status]
        )
    if membership is None:
        membership = Membership.objects.create(
            cluster=cluster, user=user, role=role, status=Status.REQUESTED, message=message
        )
    else:
        set_status(membership, Status.REQUESTED, role=role, message=message)
    record_event(cluster=cluster, action=Action.REQUESTED, actor=user, subject=user, detail=role)
    notify.tell(
        users=selectors.coordinators_of(cluster),
        template="network/email/join_requested",
        context={
            **notify.cluster_context(cluster),
            "member": name_of(user),
            "role": membership.role,
            "message": membership.message,
            "manage_url": notify.absolute_url(f"{cluster.get_absolute_url()}manage/"),
        },
        event={
            "type": "join_requested",
            "text": _("%(member)s asks to join %(cluster)s.")
            % {"member": name_of(user), "cluster": cluster.name},
            "url": f"{cluster.get_absolute_url()}manage/",
        },
    )
    return membership


@transaction.atomic
def approve_request(*, membership: Membership, by: User) -> Membership:
    membership = _locked(membership)
    require_coordinator(cluster=membership.cluster, by=by)
    if membership.status != Status.REQUESTED:
        raise DomainError(gettext_lazy("This request has already been answered."))
    set_status(membership, Status.ACTIVE)
    record_event(
        cluster=membership.cluster, action=Action.APPROVED, actor=by, subject=membership.user
    )
    notify.tell(
        users=[membership.user],
        template="network/email/request_approved",
        context={**notify.cluster_context(membership.cluster), "role": membership.role},
        event={
            "type": "request_approved",
            "text": _("Welcome to %(cluster)s.") % {"cluster": membership.cluster.name},
            "url": membership.cluster.get_absolute_url(),
        },
    )
    return membership


@transaction.atomic
def decline_request(*, membership: Membership, by: User, reason: str = "") -> None:
    reason = _reason(reason)
    membership = _locked(membership)
    cluster, user = membership.cluster, membership.user
    require_coordinator(cluster=cluster, by=by)
    if membership.status != Status.REQUESTED:
        raise DomainError(gettext_lazy("This request has already been answered."))
    membership.delete()
    record_event(
        cluster=cluster, action=Action.DECLINED, actor=by, subject=user, detail=reason[:300]
    )
    notify.tell(
        users=[user],
        template="network/email/request_declined",
        context={**notify.cluster_context(cluster), "reason": reason},
    )


# --- Members -----------------------------------------------------------------------


@transaction.atomic
def leave_cluster(*, membership: Membership) -> None:
    membership = _locked(membership)
    if membership.status not in (Status.ACTIVE, Status.REQUESTED, Status.INVITED):
        raise DomainError(gettext_lazy("You are not a member of this cluster."))
    if _is_last_coordinator(membership):
        raise DomainError(
            gettext_lazy("You are the only coordinator. Make another member coordinator first.")
        )
    set_status(membership, Status.LEFT)
    record_event(
        cluster=membership.cluster,
        action=Action.LEFT,
        actor=membership.user,
        subject=membership.user,
    )
    notify.tell(
        users=selectors.coordinators_of(membership.cluster).exclude(pk=membership.user_id),
        template="network/email/member_left",
        context={
            **notify.cluster_context(membership.cluster),
            "member": name_of(membership.user),
        },
    )


@transaction.atomic
def change_role(*, membership: Membership, by: User, role: str) -> Membership:
    membership = _locked(membership)
    require_coordinator(cluster=membership.cluster, by=by)
    if role not in Role.values:
        raise DomainError(gettext_lazy("Choose one of the roles offered."))
    if membership.status != Status.ACTIVE:
        raise DomainError(gettext_lazy("Only active members can change role."))
    if membership.role == role:
        return membership
    if role != Role.COORDINATOR and _is_last_coordinator(membership):
        raise DomainError(
            gettext_lazy("A cluster needs a coordinator. Make another member coordinator first.")
        )
    old = membership.get_role_display()
    # Only active members change role, and they stay active: no access is lost here.
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    record_event(
        cluster=membership.cluster,
        action=Action.ROLE_CHANGED,
        actor=by,
        subject=membership.user,
        detail=f"{old} → {membership.get_role_display()}",
    )
    notify.tell(
        users=[membership.user],
        template="network/email/role_changed",
        context={**notify.cluster_context(membership.cluster), "role": membership.role},
        event={
            "type": "role_changed",
            "text": _("You are now %(role)s in %(cluster)s.")
            % {"role": membership.get_role_display(), "cluster": membership.cluster.name},
            "url": membership.cluster.get_absolute_url(),
        },
    )
    return membership


@transaction.atomic
def suspend_member(*, membership: Membership, by: User, reason: str = "") -> Membership:
    reason = _reason(reason)
    membership = _locked(membership)
    require_coordinator(cluster=membership.cluster, by=by)
    if membership.status != Status.ACTIVE:
        raise DomainError(gettext_lazy("Only active members can be suspended."))
    if membership.user_id == by.pk:
        raise DomainError(gettext_lazy("You cannot suspend yourself."))
    set_status(membership, Status.SUSPENDED)
    record_event(
        cluster=membership.cluster,
        action=Action.SUSPENDED,
        actor=by,
        subject=membership.user,
        detail=reason[:300],
    )
    notify.tell(
        users=[membership.user],
        template="network/email/suspended",
        context={**notify.cluster_context(membership.cluster), "reason": reason},
    )
    return membership


@transaction.atomic
def reinstate_member(*, membership: Membership, by: User) -> Membership:
    membership = _locked(membership)
    require_coordinator(cluster=membership.cluster, by=by)
    if membership.status != Status.SUSPENDED:
        raise DomainError(gettext_lazy("Only suspended members can be reinstated."))
    set_status(membership, Status.ACTIVE)
    record_event(
        cluster=membership.cluster, action=Action.REINSTATED, actor=by, subject=membership.user
    )
    notify.tell(
        users=[membership.user],
        template="network/email/reinstated",
        context=notify.cluster_context(membership.cluster),
    )
    return membership
