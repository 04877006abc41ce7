"""Invitations: a coordinator emails a link, the invitee accepts or declines, a coordinator
may withdraw it first."""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import realtime
from core.errors import DomainError
from core.text import clean_text
from network import notify, selectors
from network.models import Cluster, Invitation, Membership, MembershipEvent, User
from network.services.memberships import record_event, require_coordinator, set_status
from network.services.profiles import ensure_profile, name_of, rename

Status = Membership.Status
Action = MembershipEvent.Action


def verified_emails(user: User) -> set[str]:
    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def _account_holding(email: str) -> User | None:
    # Only a verified address says who someone is; anyone can add an unverified one.
    return User.objects.filter(
        emailaddress__email__iexact=email, emailaddress__verified=True
    ).first()


def _invitable_membership(*, cluster: Cluster, user: User, email: str) -> Membership | None:
    """The person's membership row to reuse (locked), or None; refused when they are already
    in the cluster or suspended from it."""
    membership = Membership.objects.select_for_update().filter(cluster=cluster, user=user).first()
    if membership and membership.status == Status.ACTIVE:
        raise DomainError(_("%(email)s is already a member.") % {"email": email})
    if membership and membership.status == Status.SUSPENDED:
        raise DomainError(
            _("%(email)s is suspended here; reinstate them instead.") % {"email": email}
        )
    return membership


def _open_invitation(
    *, cluster: Cluster, email: str, role: str, by: User, name: str = ""
) -> Invitation:
    """A new invitation, or the open one to this address renewed: new link, new expiry."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(cluster=cluster, email=email, accepted_at=None, declined_at=None, revoked_at=None)
        .first()
    )
    if invitation is None:
        return Invitation.objects.create(
            cluster=cluster, email=email, role=role, invited_by=by, name=name
        )
    renewed = Invitation(cluster=cluster, email=email)
    invitation.role, invitation.invited_by = role, by
    invitation.name = name or invitation.name
    invitation.token, invitation.expires_at = renewed.token, renewed.expires_at
    invitation.save()
    return invitation


def _send_invitation(*, invitation: Invitation, by: User, invitee: User | None) -> None:
    """The link goes by email only; an invitee with an account also sees a live nudge."""
    cluster = invitation.cluster
    notify.tell_address(
        email=invitation.email,
        template="network/email/invitation",
        context={
            **notify.cluster_context(cluster),
            "inviter": name_of(by),
            "role": invitation.role,
            "accept_url": notify.absolute_url(invitation.get_absolute_url()),
            "expires_at": invitation.expires_at.date().isoformat(),
        },
    )
    if invitee is not None:
        realtime.send_to_members_on_commit(
            [invitee.pk],
            {
                "type": "invited",
                "text": _("You are invited to %(cluster)s.") % {"cluster": cluster.name},
                # The token travels by email only; My network lists the invitation.
                "url": reverse("home"),
            },
        )


@transaction.atomic
def invite_member(
    *, cluster: Cluster, by: User, email: str, role: str, name: str = ""
) -> Invitation:
    """Email an invitation link; re-inviting the same address renews the open invitation.
    `name`, if known, is offered to the invitee as the name to join under."""
    require_coordinator(cluster=cluster, by=by)
    name = clean_text(name, model=Invitation, field="name", error=DomainError).strip()
    email = clean_text(email, model=Invitation, field="email", error=DomainError)
    email = User.objects.normalize_email(email).strip().lower()
    invitee = _account_holding(email)
    membership = None
    if invitee is not None:
        membership = _invitable_membership(cluster=cluster, user=invitee, email=email)
    invitation = _open_invitation(cluster=cluster, email=email, role=role, by=by, name=name)
    # Someone with an account holds an invited place, which My network shows them.
    if invitee is not None and membership is None:
        Membership.objects.create(user=invitee, cluster=cluster, role=role, status=Status.INVITED)
    elif membership is not None:
        set_status(membership, Status.INVITED, role=role)
    record_event(
        cluster=cluster, action=Action.INVITED, actor=by, subject=invitee, email=email, detail=role
    )
    _send_invitation(invitation=invitation, by=by, invitee=invitee)
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an unanswered invitation: its link stops working at once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    cluster = invitation.cluster
    require_coordinator(cluster=cluster, by=by)
    if invitation.accepted_at or invitation.declined_at or invitation.revoked_at:
        raise DomainError(
            _("The invitation to %(email)s was already answered or withdrawn.")
            % {"email": invitation.email}
        )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    # A member invited by a verified address holds a place only the invitation justified.
    Membership.objects.filter(
        cluster=cluster,
        status=Status.INVITED,
        user__emailaddress__email__iexact=invitation.email,
    ).delete()
    record_event(
        cluster=cluster, action=Action.INVITATION_REVOKED, actor=by, email=invitation.email
    )
    return invitation


def _check_invitation_for(invitation: Invitation, user: User) -> None:
    if invitation.revoked_at:
        raise DomainError(
            gettext_lazy(
                "This invitation was withdrawn by the cluster's coordinators. Ask them if you "
                "still want to join."
            )
        )
    if invitation.accepted_at or invitation.declined_at:
        raise DomainError(gettext_lazy("This invitation has already been answered."))
    if invitation.is_expired:
        raise DomainError(
            gettext_lazy("This invitation has expired. Ask a coordinator to invite you again.")
        )
    if invitation.email.lower() not in verified_emails(user):
        raise DomainError(
            _(
                "This invitation was sent to %(email)s. Sign in with that address, or add and "
                "verify it in your account."
            )
            % {"email": invitation.email}
        )


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User, display_name: str) -> Membership:
    """The invitee joins under the name they choose, so nobody meets them as their email's
    local part."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_invitation_for(invitation, user)
    profile = ensure_profile(user=user)
    rename(profile, display_name)
    profile.save(update_fields=["display_name", "handle"])
    cluster = invitation.cluster
    membership = Membership.objects.select_for_update().filter(cluster=cluster, user=user).first()
    if membership is None:
        membership = Membership(cluster=cluster, user=user, status=Status.INVITED)
        membership.save()
    elif membership.status in (Status.ACTIVE, Status.SUSPENDED):
        raise DomainError(gettext_lazy("You already belong to this cluster."))
    set_status(membership, Status.ACTIVE, role=invitation.role)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_event(
        cluster=cluster,
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
        email=invitation.email,
    )
    told = [invitation.invited_by] if invitation.invited_by else selectors.coordinators_of(cluster)
    notify.tell(
        users=told,
        template="network/email/invitation_accepted",
        context={
            **notify.cluster_context(cluster),
            "member": name_of(user),
            "role": membership.role,
        },
        event={
            "type": "invitation_accepted",
            "text": _("%(member)s joined %(cluster)s.")
            % {"member": name_of(user), "cluster": cluster.name},
            "url": cluster.get_absolute_url(),
        },
    )
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, user: User) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    _check_invitation_for(invitation, user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    Membership.objects.filter(
        cluster=invitation.cluster, user=user, status=Status.INVITED
    ).delete()
    record_event(
        cluster=invitation.cluster,
        action=Action.INVITATION_DECLINED,
        actor=user,
        subject=user,
        email=invitation.email,
    )
    if invitation.invited_by:
        notify.tell(
            users=[invitation.invited_by],
            template="network/email/invitation_declined",
            context={**notify.cluster_context(invitation.cluster), "email": invitation.email},
        )
