"""Every change to clusters, memberships, profiles and organizations goes through here."""

import secrets
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from core import hs, realtime
from core.text import clean_text, storable
from network import notify, taxids
from network.models import (
    SPOKEN_LANGUAGES,
    Cluster,
    ExportMarket,
    ExportProduct,
    Invitation,
    Membership,
    MembershipEvent,
    Organization,
    Profile,
    User,
)
from network.signals import organization_tax_id_changed

Role = Membership.Role
Status = Membership.Status
Action = MembershipEvent.Action


class NetworkError(Exception):
    """A request the rules refuse; the message is shown to the person as it is."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(NetworkError):
    """The person may see the cluster but does not hold the role this needs."""


def _text(value: object, model, field: str, label=None) -> str:
    """Free text, trimmed and storable, or refused when longer than its field holds."""
    return clean_text(value, model=model, field=field, error=NetworkError, label=label)


def _require_coordinator(*, cluster: Cluster, by: User) -> None:
    if not Membership.objects.filter(
        cluster=cluster, user=by, role=Role.COORDINATOR, status=Status.ACTIVE
    ).exists():
        raise NotAllowed(gettext_lazy("Only the cluster's coordinators can do this."))


def _count_change(cluster: Cluster, delta: int) -> None:
    Cluster.objects.filter(pk=cluster.pk).update(
        active_member_count=F("active_member_count") + delta
    )


def _set_status(membership: Membership, status: str, **fields) -> None:
    was_active = membership.status == Status.ACTIVE
    membership.status = status
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.save()
    is_active = status == Status.ACTIVE
    if was_active != is_active:
        _count_change(membership.cluster, 1 if is_active else -1)


def _log(*, cluster: Cluster, action: str, actor=None, subject=None, email="", detail="") -> None:
    MembershipEvent.objects.create(
        cluster=cluster, action=action, actor=actor, subject=subject, email=email, detail=detail
    )


def _coordinators(cluster: Cluster, *, excluding: User | None = None) -> list[User]:
    users = User.objects.filter(
        memberships__cluster=cluster,
        memberships__role=Role.COORDINATOR,
        memberships__status=Status.ACTIVE,
    )
    if excluding is not None:
        users = users.exclude(pk=excluding.pk)
    return list(users)


def _is_last_coordinator(membership: Membership) -> bool:
    return (
        membership.is_coordinator
        and not Membership.objects.filter(
            cluster=membership.cluster, role=Role.COORDINATOR, status=Status.ACTIVE
        )
        .exclude(pk=membership.pk)
        .exists()
    )


def _name(user: User) -> str:
    profile = getattr(user, "profile", None)
    return profile.display_name if profile else user.email


def _cluster_context(cluster: Cluster) -> dict:
    return {
        "cluster_name": cluster.name,
        "cluster_url": notify.absolute_url(cluster.get_absolute_url()),
    }


# --- Clusters --------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    # Always a random suffix: one added only when the name is taken, or a counter, would
    # tell whoever creates a cluster that a private cluster of that name exists.
    base = slugify(name)[:150] or "cluster"
    while True:
        slug = f"{base}-{secrets.token_hex(3)}"
        if not Cluster.objects.filter(slug=slug).exists():
            return slug


@transaction.atomic
def create_cluster(
    *,
    creator: User,
    name: str,
    sector: str,
    country: str,
    region: str = "",
    description: str = "",
    visibility: str = Cluster.Visibility.PUBLIC,
) -> Cluster:
    """Create a cluster; its creator becomes its first coordinator.

    No sponsor here: an agency sponsors a cluster only by agreement (network.sponsorships).
    """
    name = _text(name, Cluster, "name")
    region, description = (
        _text(region, Cluster, "region"),
        _text(description, Cluster, "description"),
    )
    cluster = Cluster.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        sector=sector,
        country=country,
        region=region.strip(),
        description=description.strip(),
        visibility=visibility,
        created_by=creator,
        active_member_count=1,
    )
    Membership.objects.create(
        user=creator, cluster=cluster, role=Role.COORDINATOR, status=Status.ACTIVE
    )
    _log(cluster=cluster, action=Action.CREATED, actor=creator, subject=creator)
    return cluster


@transaction.atomic
def update_cluster(*, cluster: Cluster, by: User, **fields) -> Cluster:
    _require_coordinator(cluster=cluster, by=by)
    editable = {"name", "sector", "country", "region", "description", "visibility"}
    unknown = set(fields) - editable
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    for field, value in fields.items():
        setattr(cluster, field, value.strip() if isinstance(value, str) else value)
    cluster.save()
    return cluster


# --- Invitations ------------------------------------------------------------------


@transaction.atomic
def invite_member(*, cluster: Cluster, by: User, email: str, role: str) -> Invitation:
    """Email an invitation link; re-inviting the same address renews the open invitation."""
    _require_coordinator(cluster=cluster, by=by)
    email = _text(email, Invitation, "email")
    email = User.objects.normalize_email(email).strip().lower()
    # Only a verified address says who someone is; anyone can add an unverified one.
    existing_user = User.objects.filter(
        emailaddress__email__iexact=email, emailaddress__verified=True
    ).first()
    membership = None
    if existing_user is not None:
        membership = (
            Membership.objects.select_for_update()
            .filter(cluster=cluster, user=existing_user)
            .first()
        )
        if membership and membership.status == Status.ACTIVE:
            raise NetworkError(_("%(email)s is already a member.") % {"email": email})
        if membership and membership.status == Status.SUSPENDED:
            raise NetworkError(
                _("%(email)s is suspended here; reinstate them instead.") % {"email": email}
            )

    invitation = (
        Invitation.objects.select_for_update()
        .filter(cluster=cluster, email=email, accepted_at=None, declined_at=None, revoked_at=None)
        .first()
    )
    if invitation is None:
        invitation = Invitation.objects.create(
            cluster=cluster, email=email, role=role, invited_by=by
        )
    else:
        renewed = Invitation(cluster=cluster, email=email)
        invitation.role, invitation.invited_by = role, by
        invitation.token, invitation.expires_at = renewed.token, renewed.expires_at
        invitation.save()

    if existing_user is not None:
        if membership is None:
            Membership.objects.create(
                user=existing_user, cluster=cluster, role=role, status=Status.INVITED
            )
        else:
            _set_status(membership, Status.INVITED, role=role)

    _log(
        cluster=cluster,
        action=Action.INVITED,
        actor=by,
        subject=existing_user,
        email=email,
        detail=role,
    )
    notify.tell_address(
        email=email,
        template="network/email/invitation",
        context={
            **_cluster_context(cluster),
            "inviter": _name(by),
            "role": role,
            "accept_url": notify.absolute_url(invitation.get_absolute_url()),
            "expires_at": invitation.expires_at.date().isoformat(),
        },
    )
    if existing_user is not None:
        realtime.send_to_members_on_commit(
            [existing_user.pk],
            {
                "type": "invited",
                "text": _("You are invited to %(cluster)s.") % {"cluster": cluster.name},
                # The token travels by email only; My network lists the invitation.
                "url": reverse("home"),
            },
        )
    return invitation


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    """Withdraw an unanswered invitation: its link stops working at once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    cluster = invitation.cluster
    _require_coordinator(cluster=cluster, by=by)
    if invitation.accepted_at or invitation.declined_at or invitation.revoked_at:
        raise NetworkError(
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
    _log(cluster=cluster, action=Action.INVITATION_REVOKED, actor=by, email=invitation.email)
    return invitation


def verified_emails(user: User) -> set[str]:
    from allauth.account.models import EmailAddress

    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def _check_invitation_for(invitation: Invitation, user: User) -> None:
    if invitation.revoked_at:
        raise NetworkError(
            gettext_lazy(
                "This invitation was withdrawn by the cluster's coordinators. Ask them if you "
                "still want to join."
            )
        )
    if invitation.accepted_at or invitation.declined_at:
        raise NetworkError(gettext_lazy("This invitation has already been answered."))
    if invitation.is_expired:
        raise NetworkError(
            gettext_lazy("This invitation has expired. Ask a coordinator to invite you again.")
        )
    if invitation.email.lower() not in verified_emails(user):
        raise NetworkError(
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
    _rename(profile, display_name)
    profile.save(update_fields=["display_name", "handle"])
    cluster = invitation.cluster
    membership = Membership.objects.select_for_update().filter(cluster=cluster, user=user).first()
    if membership is None:
        membership = Membership(cluster=cluster, user=user, status=Status.INVITED)
        membership.save()
    elif membership.status in (Status.ACTIVE, Status.SUSPENDED):
        raise NetworkError(gettext_lazy("You already belong to this cluster."))
    _set_status(membership, Status.ACTIVE, role=invitation.role)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _log(
        cluster=cluster,
        action=Action.INVITATION_ACCEPTED,
        actor=user,
        subject=user,
        email=invitation.email,
    )
    told = [invitation.invited_by] if invitation.invited_by else _coordinators(cluster)
    notify.tell(
        users=told,
        template="network/email/invitation_accepted",
        context={**_cluster_context(cluster), "member": _name(user), "role": membership.role},
        event={
            "type": "invitation_accepted",
            "text": _("%(member)s joined %(cluster)s.")
            % {"member": _name(user), "cluster": cluster.name},
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
    _log(
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
            context={**_cluster_context(invitation.cluster), "email": invitation.email},
        )


# --- Join requests ------------------------------------------------------------------

JOINABLE_ROLES = (Role.FOLLOWER, Role.MENTOR)


@transaction.atomic
def request_to_join(*, cluster: Cluster, user: User, role: str, message: str = "") -> Membership:
    """Ask to join a public cluster as a follower or mentor; coordinators decide."""
    message = _text(message, Membership, "message")
    if not cluster.is_public:
        raise NetworkError(gettext_lazy("This cluster takes members by invitation only."))
    if role not in JOINABLE_ROLES:
        raise NetworkError(gettext_lazy("You can ask to join as a follower or as a mentor."))
    membership = Membership.objects.select_for_update().filter(cluster=cluster, user=user).first()
    if membership is not None and membership.status != Status.LEFT:
        raise NetworkError(
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
            cluster=cluster, user=user, role=role, status=Status.REQUESTED, message=message.strip()
        )
    else:
        _set_status(membership, Status.REQUESTED, role=role, message=message.strip())
    _log(cluster=cluster, action=Action.REQUESTED, actor=user, subject=user, detail=role)
    notify.tell(
        users=_coordinators(cluster),
        template="network/email/join_requested",
        context={
            **_cluster_context(cluster),
            "member": _name(user),
            "role": membership.role,
            "message": membership.message,
            "manage_url": notify.absolute_url(f"{cluster.get_absolute_url()}manage/"),
        },
        event={
            "type": "join_requested",
            "text": _("%(member)s asks to join %(cluster)s.")
            % {"member": _name(user), "cluster": cluster.name},
            "url": f"{cluster.get_absolute_url()}manage/",
        },
    )
    return membership


def _locked(membership: Membership) -> Membership:
    return (
        Membership.objects.select_for_update()
        .select_related("cluster", "user")
        .get(pk=membership.pk)
    )


@transaction.atomic
def approve_request(*, membership: Membership, by: User) -> Membership:
    membership = _locked(membership)
    _require_coordinator(cluster=membership.cluster, by=by)
    if membership.status != Status.REQUESTED:
        raise NetworkError(gettext_lazy("This request has already been answered."))
    _set_status(membership, Status.ACTIVE)
    _log(cluster=membership.cluster, action=Action.APPROVED, actor=by, subject=membership.user)
    notify.tell(
        users=[membership.user],
        template="network/email/request_approved",
        context={**_cluster_context(membership.cluster), "role": membership.role},
        event={
            "type": "request_approved",
            "text": _("Welcome to %(cluster)s.") % {"cluster": membership.cluster.name},
            "url": membership.cluster.get_absolute_url(),
        },
    )
    return membership


@transaction.atomic
def decline_request(*, membership: Membership, by: User, reason: str = "") -> None:
    reason = _text(reason, MembershipEvent, "detail", label=gettext_lazy("reason"))
    membership = _locked(membership)
    cluster, user = membership.cluster, membership.user
    _require_coordinator(cluster=cluster, by=by)
    if membership.status != Status.REQUESTED:
        raise NetworkError(gettext_lazy("This request has already been answered."))
    membership.delete()
    _log(cluster=cluster, action=Action.DECLINED, actor=by, subject=user, detail=reason[:300])
    notify.tell(
        users=[user],
        template="network/email/request_declined",
        context={**_cluster_context(cluster), "reason": reason.strip()},
    )


# --- Members -----------------------------------------------------------------------


@transaction.atomic
def leave_cluster(*, membership: Membership) -> None:
    membership = _locked(membership)
    if membership.status not in (Status.ACTIVE, Status.REQUESTED, Status.INVITED):
        raise NetworkError(gettext_lazy("You are not a member of this cluster."))
    if _is_last_coordinator(membership):
        raise NetworkError(
            gettext_lazy("You are the only coordinator. Make another member coordinator first.")
        )
    _set_status(membership, Status.LEFT)
    _log(
        cluster=membership.cluster,
        action=Action.LEFT,
        actor=membership.user,
        subject=membership.user,
    )
    notify.tell(
        users=_coordinators(membership.cluster, excluding=membership.user),
        template="network/email/member_left",
        context={**_cluster_context(membership.cluster), "member": _name(membership.user)},
    )


@transaction.atomic
def change_role(*, membership: Membership, by: User, role: str) -> Membership:
    membership = _locked(membership)
    _require_coordinator(cluster=membership.cluster, by=by)
    if role not in Role.values:
        raise NetworkError(gettext_lazy("Choose one of the roles offered."))
    if membership.status != Status.ACTIVE:
        raise NetworkError(gettext_lazy("Only active members can change role."))
    if membership.role == role:
        return membership
    if role != Role.COORDINATOR and _is_last_coordinator(membership):
        raise NetworkError(
            gettext_lazy("A cluster needs a coordinator. Make another member coordinator first.")
        )
    old = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _log(
        cluster=membership.cluster,
        action=Action.ROLE_CHANGED,
        actor=by,
        subject=membership.user,
        detail=f"{old} → {membership.get_role_display()}",
    )
    notify.tell(
        users=[membership.user],
        template="network/email/role_changed",
        context={**_cluster_context(membership.cluster), "role": membership.role},
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
    reason = _text(reason, MembershipEvent, "detail", label=gettext_lazy("reason"))
    membership = _locked(membership)
    _require_coordinator(cluster=membership.cluster, by=by)
    if membership.status != Status.ACTIVE:
        raise NetworkError(gettext_lazy("Only active members can be suspended."))
    if membership.user_id == by.pk:
        raise NetworkError(gettext_lazy("You cannot suspend yourself."))
    _set_status(membership, Status.SUSPENDED)
    _log(
        cluster=membership.cluster,
        action=Action.SUSPENDED,
        actor=by,
        subject=membership.user,
        detail=reason[:300],
    )
    notify.tell(
        users=[membership.user],
        template="network/email/suspended",
        context={**_cluster_context(membership.cluster), "reason": reason.strip()},
    )
    return membership


@transaction.atomic
def reinstate_member(*, membership: Membership, by: User) -> Membership:
    membership = _locked(membership)
    _require_coordinator(cluster=membership.cluster, by=by)
    if membership.status != Status.SUSPENDED:
        raise NetworkError(gettext_lazy("Only suspended members can be reinstated."))
    _set_status(membership, Status.ACTIVE)
    _log(cluster=membership.cluster, action=Action.REINSTATED, actor=by, subject=membership.user)
    notify.tell(
        users=[membership.user],
        template="network/email/reinstated",
        context=_cluster_context(membership.cluster),
    )
    return membership


# --- People and organizations -------------------------------------------------------


def ensure_profile(*, user: User) -> Profile:
    """Every account has a profile; its first display name comes from the email address."""
    local = default_name(user)
    profile, _created = Profile.objects.get_or_create(
        user=user, defaults={"display_name": local, "handle": unique_handle(local)}
    )
    return profile


def unique_handle(name: str, *, excluding: Profile | None = None) -> str:
    base = slugify(name)[:50] or "member"
    handle, n = base, 2
    taken = Profile.objects.exclude(pk=excluding.pk) if excluding else Profile.objects.all()
    while taken.filter(handle=handle).exists():
        handle, n = f"{base}{n}", n + 1
    return handle


def default_name(user: User) -> str:
    """The name an account starts with, until its owner chooses one."""
    return user.email.split("@")[0][:120]


def _rename(profile: Profile, display_name: str) -> None:
    """Set the name (and the handle that follows it) on the profile; the caller saves."""
    display_name = display_name.replace("\x00", "").strip()
    if not display_name:
        raise NetworkError(gettext_lazy("A display name is required."))
    if len(display_name) > 120:
        raise NetworkError(gettext_lazy("A display name is at most 120 characters."))
    if not profile.handle or slugify(profile.display_name) != slugify(display_name):
        profile.handle = unique_handle(display_name, excluding=profile)
    profile.display_name = display_name


# What the profile form holds, for every caller (taggit keeps names in 100 characters).
MAX_LABELS, MAX_LABEL_LENGTH = 15, 50


def _labels(values: list[str]) -> list[str]:
    labels = sorted({storable(str(value)).strip() for value in values} - {""})
    if len(labels) > MAX_LABELS:
        raise NetworkError(gettext_lazy("At most 15 areas of expertise."))
    if any(len(label) > MAX_LABEL_LENGTH for label in labels):
        raise NetworkError(gettext_lazy("Each area of expertise is at most 50 characters."))
    return labels


@transaction.atomic
def update_profile(
    *,
    profile: Profile,
    display_name: str,
    languages: list[str],
    time_zone: str,
    preferred_language: str = "",
    bio: str = "",
    expertise: list[str] | None = None,
) -> Profile:
    display_name, bio = _text(display_name, Profile, "display_name"), _text(bio, Profile, "bio")
    if expertise is not None:
        expertise = _labels(expertise)
    unknown = set(languages) - {code for code, _label in SPOKEN_LANGUAGES}
    if unknown:
        raise NetworkError(
            _("Unknown languages: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
        )
    if time_zone not in zoneinfo.available_timezones():
        raise NetworkError(_("Unknown time zone: %(zone)s.") % {"zone": time_zone})
    _rename(profile, display_name)
    profile.languages = sorted(set(languages))
    profile.time_zone = time_zone
    profile.preferred_language = preferred_language
    profile.bio = bio.strip()
    profile.save()
    if expertise is not None:
        profile.expertise.set(expertise, clear=True)
    return profile


@transaction.atomic
def save_organization(
    *,
    profile: Profile,
    organization: Organization | None = None,
    name: str,
    kind: str,
    country: str,
    size: str = "",
    sector: str = "",
    first_export_year: int | None = None,
    website: str = "",
    exported_codes: list[str] = (),
    planned_codes: list[str] = (),
    markets: list[str] = (),
    tax_id_scheme: str | None = None,
    tax_id: str | None = None,
) -> Organization:
    """Create the person's organization or update the one they belong to.

    A tax id of None leaves the one on record as it is; an empty one clears it.
    """
    name, website = _text(name, Organization, "name"), _text(website, Organization, "website")
    if organization is not None and profile.organization_id != organization.pk:
        raise NotAllowed(gettext_lazy("You can only edit your own organization."))
    # Belonging to an agency makes a person its officer, with power over its programmes'
    # money: the network's staff register agencies; nobody turns a firm into one or back.
    current = organization.kind if organization is not None else Organization.Kind.FIRM
    if kind != current and Organization.Kind.AGENCY in (kind, current):
        raise NotAllowed(
            gettext_lazy("Export-promotion agencies are registered by the network's staff.")
        )
    # Country codes are stored upper case, so "co" and "CO" are one market (two rows broke
    # the one-row-per-country constraint with a 500); unknown codes are refused here.
    markets = {code.upper() for code in markets}
    if not markets <= set(dict(countries)):
        raise NetworkError(gettext_lazy("Choose markets from the list."))
    # The form checks codes too; this holds for every caller (a longer code was a 500).
    unknown = sorted(code for code in {*exported_codes, *planned_codes} if not hs.is_code(code))
    if unknown:
        raise NetworkError(
            _("Not HS chapters (2 digits) or headings (4 digits): %(codes)s.")
            % {"codes": ", ".join(unknown)}
        )
    overlap = set(exported_codes) & set(planned_codes)
    if overlap:
        raise NetworkError(
            _("%(codes)s cannot be both exported and planned.")
            % {"codes": ", ".join(sorted(overlap))}
        )
    organization = organization or Organization()
    before = (organization.tax_id_scheme, organization.tax_id) if organization.tax_id else None
    if tax_id is not None:
        _set_tax_id(organization, tax_id_scheme or "", tax_id)
    organization.name, organization.kind, organization.country = name.strip(), kind, country
    organization.size, organization.sector = size, sector
    organization.first_export_year, organization.website = first_export_year, website
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        raise NetworkError(gettext_lazy("The first export year is not plausible.")) from None
    organization.products.all().delete()
    ExportProduct.objects.bulk_create(
        [
            ExportProduct(
                organization=organization, hs_code=c, status=ExportProduct.Status.EXPORTS
            )
            for c in sorted(set(exported_codes))
        ]
        + [
            ExportProduct(
                organization=organization, hs_code=c, status=ExportProduct.Status.PLANNED
            )
            for c in sorted(set(planned_codes))
        ]
    )
    organization.markets.all().delete()
    ExportMarket.objects.bulk_create(
        [ExportMarket(organization=organization, country=c) for c in sorted(set(markets))]
    )
    if profile.organization_id != organization.pk:
        profile.organization = organization
        profile.save(update_fields=["organization"])
    after = (organization.tax_id_scheme, organization.tax_id) if organization.tax_id else None
    if after != before:
        organization_tax_id_changed.send(
            sender=Organization, organization=organization, by=profile.user, before=before
        )
    return organization


def _set_tax_id(organization: Organization, scheme: str, value: str) -> None:
    """Validated by the scheme's check digits and unique on the network, or refused."""
    if not value.strip():
        organization.tax_id_scheme, organization.tax_id = "", ""
        return
    try:
        scheme = taxids.parse_scheme(scheme)
        compact = taxids.normalise(scheme=scheme, value=value)
    except taxids.InvalidTaxId as error:
        raise NetworkError(error.message) from None
    taken = Organization.objects.filter(tax_id_scheme=scheme, tax_id=compact)
    if organization.pk is not None:
        taken = taken.exclude(pk=organization.pk)
    if taken.exists():
        raise NetworkError(gettext_lazy("Another organization on the network has this tax id."))
    organization.tax_id_scheme, organization.tax_id = scheme, compact
