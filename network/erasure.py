"""Erasing a member at their own request: the data-protection right to be forgotten.

The account row stays, anonymised, because what others need to keep points at it: the
incentives ledger (append-only, kept for the agencies' audit) and the posts, guides and
sessions the member took part in, which stay readable as a "former member's". Everything
that says who the person was goes: name, email addresses, profile, memberships' messages,
invitations addressed to them, their sessions and API keys. Each other app erases what it
owns in its own receiver of `member_erased` (network imports no other app).
"""

import logging
import secrets

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from network.models import (
    Invitation,
    InvitationBatch,
    Membership,
    MembershipEvent,
    Profile,
    User,
)
from network.services import memberships
from network.signals import member_erased, member_erasure_requested

logger = logging.getLogger(__name__)

ERASED_DOMAIN = "erased.invalid"  # reserved (RFC 2606): no mail can ever be delivered there
FORMER_MEMBER = _("Former member")
ERASURE_DETAIL = "account erased at the member's request"

Status = Membership.Status


class ErasureRefused(DomainError):
    """Erasing now would leave others stranded; every reason is shown to the person."""

    def __init__(self, reasons: list) -> None:
        super().__init__(" ".join(str(reason) for reason in reasons))
        self.reasons = reasons


def erasure_refusals(*, user: User) -> list:
    """What must be handed over before this account can be erased; empty when nothing.

    Network's own reason: the only active coordinator of a cluster that has other active
    members would leave them with nobody to admit, moderate or match them. Other apps add
    theirs through `member_erasure_requested` (an agency's only officer, for example).
    """
    reasons = []
    for membership in Membership.objects.of(user).coordinators().select_related("cluster"):
        others = Membership.objects.in_cluster(membership.cluster).active().exclude(user=user)
        if others.exists() and not others.coordinators().exists():
            reasons.append(
                _(
                    "You are the only coordinator of %(cluster)s. Make another member "
                    "coordinator first, so its members are not left without one."
                )
                % {"cluster": membership.cluster.name}
            )
    for _receiver, found in member_erasure_requested.send(sender=User, user=user):
        reasons.extend(found or [])
    return reasons


def former_member_label() -> str:
    """The name an erased member is stored under, in the site's language (LANGUAGE_CODE).

    Pages that know a person is erased show the reader's own translation instead.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return str(FORMER_MEMBER)


def _emails_of(user: User) -> set[str]:
    return {user.email.lower()} | {
        address.lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }


def _names_of(user: User, profile: Profile | None, emails: set[str]) -> list[str]:
    """What other apps may have copied into their own text (a pairing's close reason...),
    longest first so a full name is replaced before a part of it."""
    names = {name for name in (profile and profile.display_name, *emails) if name}
    if user.get_full_name():
        names.add(user.get_full_name())
    return sorted(names, key=len, reverse=True)


def _forget_profile(profile: Profile, label: str) -> None:
    """The profile stays (others' pages link to it) under the former member's label."""
    profile.display_name = label
    profile.handle = None
    profile.organization = None
    profile.languages = []
    profile.time_zone = "UTC"
    profile.preferred_language = ""
    profile.bio = ""
    profile.save()
    profile.expertise.clear()


def _anonymise_account(user: User) -> None:
    """No name, no address, no way to sign in, no powers: the row only anchors others' rows."""
    user.email = f"former-member-{user.pk}-{secrets.token_hex(4)}@{ERASED_DOMAIN}"
    user.first_name = user.last_name = ""
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.erased_at = timezone.now()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    EmailAddress.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        apps.get_model("socialaccount", "SocialAccount").objects.filter(user=user).delete()


def _leave_every_cluster(user: User) -> None:
    """Each membership ends (the apps that gave access through it are told) and its message
    to the coordinators goes."""
    for membership in Membership.objects.of(user).select_related("cluster"):
        if membership.status != Status.LEFT:
            memberships.set_status(membership, Status.LEFT, message="")
            memberships.record_event(
                cluster=membership.cluster,
                action=MembershipEvent.Action.LEFT,
                subject=user,
                detail=ERASURE_DETAIL,
            )
        elif membership.message:
            membership.message = ""
            membership.save(update_fields=["message", "updated_at"])


def _forget_addresses(user: User, emails: set[str], label: str) -> None:
    """Invitations to the person's addresses, their rows in coordinators' invitation lists,
    the addresses in the trail, and the admin's history of their account."""
    addressed, listed = Q(), Q()
    for email in emails:
        addressed |= Q(email__iexact=email)
        listed |= Q(rows__icontains=email) | Q(problems__icontains=email)
    Invitation.objects.filter(addressed).delete()
    lowered = {email.lower() for email in emails}
    for batch in InvitationBatch.objects.select_for_update().filter(listed):
        # A list's other rows are the coordinator's record of whom they invited: kept.
        batch.rows = [r for r in batch.rows if str(r.get("email", "")).lower() not in lowered]
        batch.problems = [
            r for r in batch.problems if str(r.get("email", "")).lower() not in lowered
        ]
        batch.save(update_fields=["rows", "problems"])
    MembershipEvent.objects.filter(addressed).update(email="")
    if apps.is_installed("django.contrib.admin"):
        # The admin's history names the objects it changed.
        apps.get_model("admin", "LogEntry").objects.filter(
            content_type__app_label="network", object_id=str(user.pk)
        ).update(object_repr=label)


@transaction.atomic
def erase_member(*, user: User) -> User:
    """Erase `user`'s personal data at their request, keeping the records others rely on.

    Refused (ErasureRefused, nothing changed) while erasing would strand others: the only
    coordinator of a cluster with other members must name another coordinator first, and an
    agency's only officer must hand over its running programmes (incentives says so). We
    refuse rather than hand over silently: choosing someone to hold a cluster or public money
    is not ours to do on the person's behalf.

    Erased: name, email addresses (allauth's too), password, profile fields (bio, handle,
    languages, time zone, expertise), the link to their organization (the firm's record is
    the firm's, and stays), every membership (left, messages cleared), invitations sent to
    their addresses and their rows in invitation lists, addresses in the membership trail,
    their sessions (signed out everywhere). Other apps, on `member_erased`: mentoring closes
    their pairings, cancels what they host and drops their offers' words and needs; forums
    drops their notifications; guides drops drafts only they wrote; incentives withdraws
    what is still undecided and revokes their API keys.

    Kept: the anonymised account row (for the foreign keys), their posts and published
    guides shown as the former member's, and the ledger exactly as it was (its entries are
    append-only; their account there is labelled with the former member's name).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at is not None:
        return user
    reasons = erasure_refusals(user=user)
    if reasons:
        raise ErasureRefused(reasons)
    profile = Profile.objects.filter(user=user).first()
    emails = _emails_of(user)
    names = _names_of(user, profile, emails)
    handle = profile.handle if profile is not None else None
    label = former_member_label()
    if profile is not None:
        _forget_profile(profile, label)
    _anonymise_account(user)
    # Leaving after the name is gone: whatever the other apps tell people about it (a
    # pairing ended, a member left) names the former member, not the person.
    _leave_every_cluster(user)
    _forget_addresses(user, emails, label)
    member_erased.send(sender=User, user=user, names=names, handle=handle)
    transaction.on_commit(lambda: forget_sessions(user_id=user.pk))
    logger.info("member %s erased at their request", user.pk)
    return user


def scrub(text: str, names) -> str:
    """`text` with each of the erased person's names replaced by the former member's label."""
    label = former_member_label()
    for name in names:
        if name and name in text:
            text = text.replace(name, label)
    return text


def forget_sessions(*, user_id: int) -> int:
    """Delete every stored session signed in as the user; returns how many.

    Their sessions are already worthless (the password hash they were bound to is gone and
    the account is inactive); this removes the rows too. Sessions are not indexed by user,
    so the unexpired ones are read in batches: erasures are rare, and this runs after the
    erasure has committed.
    """
    wanted = str(user_id)
    gone = []
    unexpired = Session.objects.filter(expire_date__gt=timezone.now()).order_by("pk")
    for session in unexpired.iterator(chunk_size=2000):
        if session.get_decoded().get("_auth_user_id") == wanted:
            gone.append(session.pk)
    if gone:
        Session.objects.filter(pk__in=gone).delete()
    return len(gone)
