"""People, firms, agencies, clusters, and who belongs to which cluster in which role."""

import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from taggit.managers import TaggableManager

from core import hs
from network.taxids import MAX_LENGTH as TAX_ID_LENGTH
from network.taxids import Scheme as TaxIdScheme

INVITATION_LIFETIME = timedelta(days=14)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account; people sign in with their email address, there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # Set when the person had their account erased (network.erasure.erase_member): the row
    # stays, anonymised, because the ledger and their posts point at it.
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class Sector(models.TextChoices):
    AGRIFOOD = "agrifood", _("Agriculture and food")
    BEVERAGES = "beverages", _("Beverages")
    TEXTILES = "textiles", _("Textiles and apparel")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CHEMICALS = "chemicals", _("Chemicals and pharmaceuticals")
    MINING = "mining", _("Mining and metals")
    TECHNOLOGY = "technology", _("Software and IT services")
    CREATIVE = "creative", _("Creative industries")
    TOURISM = "tourism", _("Tourism")
    LOGISTICS = "logistics", _("Logistics")
    OTHER = "other", _("Other")


class Organization(models.Model):
    """A firm that exports or wants to, or an export-promotion agency."""

    class Kind(models.TextChoices):
        FIRM = "firm", _("Firm")
        AGENCY = "agency", _("Export-promotion agency")

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro (up to 10 people)")
        SMALL = "small", _("Small (11 to 50 people)")
        MEDIUM = "medium", _("Medium (51 to 250 people)")
        LARGE = "large", _("Large (more than 250 people)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.FIRM)
    country = CountryField(_("country"))
    size = models.CharField(_("size"), max_length=10, choices=Size, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector, blank=True)
    first_export_year = models.PositiveSmallIntegerField(
        _("first export year"), null=True, blank=True
    )
    website = models.URLField(_("website"), blank=True)
    # Normalised by network.taxids; the same id in an agency's firm registry links the two.
    tax_id_scheme = models.CharField(
        _("tax id scheme"), max_length=8, choices=TaxIdScheme, blank=True
    )
    tax_id = models.CharField(_("tax id"), max_length=TAX_ID_LENGTH, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_export_year__isnull=True)
                | Q(first_export_year__gte=1900, first_export_year__lte=2100),
                name="organization_first_export_year_plausible",
            ),
            models.UniqueConstraint(
                fields=["tax_id_scheme", "tax_id"],
                condition=~Q(tax_id=""),
                name="one_organization_per_tax_id",
            ),
            models.CheckConstraint(
                condition=Q(tax_id="") | ~Q(tax_id_scheme=""),
                name="organization_tax_id_has_scheme",
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_agency(self) -> bool:
        return self.kind == self.Kind.AGENCY


class ExportProduct(models.Model):
    """An HS heading a firm exports or plans to export; names come from core.hs."""

    class Status(models.TextChoices):
        EXPORTS = "exports", _("exports")
        PLANNED = "planned", _("plans to export")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="products", db_index=False
    )
    hs_code = models.CharField(_("HS code"), max_length=4, validators=[hs.validate_code])
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.EXPORTS)

    class Meta:
        verbose_name = _("export product")
        verbose_name_plural = _("export products")
        ordering = ["hs_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hs_code"], name="one_product_row_per_code"
            )
        ]
        indexes = [models.Index(fields=["hs_code"])]

    def __str__(self) -> str:
        return f"{self.hs_code} {self.name}"

    @property
    def name(self) -> str:
        return hs.name(self.hs_code)

    @property
    def chapter_name(self) -> str:
        """In the reader's language: WCO heading names exist in English only."""
        return hs.name(hs.chapter_of(self.hs_code))


class ExportMarket(models.Model):
    """A country a firm has exported to."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="markets", db_index=False
    )
    country = CountryField(_("country"))

    class Meta:
        verbose_name = _("export market")
        verbose_name_plural = _("export markets")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "country"], name="one_market_row_per_country"
            )
        ]
        indexes = [models.Index(fields=["country"])]

    def __str__(self) -> str:
        return str(self.country.name)


SPOKEN_LANGUAGES = [
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("de", _("German")),
    ("it", _("Italian")),
    ("zh", _("Chinese")),
    ("ja", _("Japanese")),
    ("ar", _("Arabic")),
    ("ht", _("Haitian Creole")),
    ("qu", _("Quechua")),
    ("gn", _("Guarani")),
]


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Profile(models.Model):
    """What a person shows the network about themselves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="profile",
    )
    display_name = models.CharField(_("display name"), max_length=120)
    # What others type after @ to mention this person in the forums.
    handle = models.SlugField(_("handle"), max_length=60, unique=True, null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organization"),
    )
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=_time_zone_choices, default="UTC"
    )
    preferred_language = models.CharField(
        _("language for emails"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    bio = models.TextField(_("short bio"), max_length=1000, blank=True)
    expertise = TaggableManager(_("expertise"), blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [models.Index(fields=["display_name", "user"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("person", args=[self.user_id])

    def language_names(self) -> list[str]:
        names = dict(SPOKEN_LANGUAGES)
        return [str(names.get(code, code)) for code in self.languages]


class Cluster(models.Model):
    """A group of firms around a sector and a place, run by coordinators."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone can see it and ask to join")
        PRIVATE = "private", _("Private: only members know it exists")

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=160, unique=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector)
    country = CountryField(_("country"))
    region = models.CharField(_("region"), max_length=120, blank=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility, default=Visibility.PUBLIC
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept in step by the membership services, so lists never count rows.
    active_member_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["visibility", "name", "id"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cluster", args=[self.slug])

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


class MembershipQuerySet(models.QuerySet):
    """The questions every app asks of memberships, each answered in one place."""

    def active(self):
        return self.filter(status=Membership.Status.ACTIVE)

    def coordinators(self):
        """Active coordinators: the people who run a cluster."""
        return self.active().filter(role=Membership.Role.COORDINATOR)

    def mentors(self):
        return self.active().filter(role=Membership.Role.MENTOR)

    def followers(self):
        return self.active().filter(role=Membership.Role.FOLLOWER)

    def observers(self):
        return self.active().filter(role=Membership.Role.OBSERVER)

    def of(self, user):
        return self.filter(user=user)

    def in_cluster(self, cluster):
        return self.filter(cluster=cluster)


class Membership(models.Model):
    """One person's place in one cluster: the role they hold there and where they stand."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        MENTOR = "mentor", _("Mentor")
        FOLLOWER = "follower", _("Follower")
        OBSERVER = "observer", _("Agency observer")

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Requested to join")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        LEFT = "left", _("Left")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        db_index=False,
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.FOLLOWER)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    message = models.TextField(_("message to the coordinators"), max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cluster"], name="one_membership_per_person_per_cluster"
            )
        ]
        indexes = [
            models.Index(fields=["cluster", "status", "role"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cluster} ({self.role}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_coordinator(self) -> bool:
        return self.is_active and self.role == self.Role.COORDINATOR

    @property
    def is_follower(self) -> bool:
        return self.is_active and self.role == self.Role.FOLLOWER

    @property
    def may_mentor(self) -> bool:
        """Mentors mentor; so may the coordinators who run the cluster."""
        return self.is_active and self.role in (self.Role.MENTOR, self.Role.COORDINATOR)

    @property
    def oversees(self) -> bool:
        """Coordinators and the agencies' observers follow the cluster's results."""
        return self.is_active and self.role in (self.Role.COORDINATOR, self.Role.OBSERVER)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """An emailed link to join a cluster; works before the person has an account."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=12, choices=Membership.Role, default=Membership.Role.FOLLOWER
    )
    # The name the coordinator knows them by (a bulk invitation's list): offered, not imposed,
    # as the name they join under.
    name = models.CharField(_("name"), max_length=120, blank=True)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn by a coordinator (sent to the wrong address, say): the link stops working.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # Re-inviting refreshes the open invitation instead of stacking links.
            models.UniqueConstraint(
                fields=["cluster", "email"],
                condition=Q(
                    accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True
                ),
                name="one_open_invitation_per_email_per_cluster",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.cluster}"

    def get_absolute_url(self) -> str:
        return reverse("invitation", args=[self.token])

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        answered = self.accepted_at or self.declined_at or self.revoked_at
        return answered is None and not self.is_expired


class InvitationBatch(models.Model):
    """A CSV of people to invite, read and checked: what the coordinator previews, then sends
    (all of it, once)."""

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="invitation_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200, blank=True)
    # [{"row": 2, "email": ..., "role": ..., "name": ...}], the rows that can be invited.
    rows = models.JSONField(default=list)
    # [{"row": 3, "email": ..., "role": ..., "name": ..., "reason": ...}], as written.
    problems = models.JSONField(default=list)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation batch")
        verbose_name_plural = _("invitation batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.pk} to {self.cluster}"


class MembershipEvent(models.Model):
    """The trail of who did what to whose membership, for coordinators and staff."""

    class Action(models.TextChoices):
        INVITED = "invited", _("invited")
        INVITATION_ACCEPTED = "invitation_accepted", _("accepted the invitation")
        INVITATION_DECLINED = "invitation_declined", _("declined the invitation")
        INVITATION_REVOKED = "invitation_revoked", _("withdrew the invitation")
        REQUESTED = "requested", _("asked to join")
        APPROVED = "approved", _("approved the request")
        DECLINED = "declined", _("declined the request")
        LEFT = "left", _("left")
        ROLE_CHANGED = "role_changed", _("changed the role")
        SUSPENDED = "suspended", _("suspended")
        REINSTATED = "reinstated", _("reinstated")
        CREATED = "created", _("created the cluster")
        SPONSORSHIP_REQUESTED = "sponsorship_requested", _("asked an agency for sponsorship")
        SPONSORSHIP_OFFERED = "sponsorship_offered", _("offered sponsorship")
        SPONSORSHIP_ACCEPTED = "sponsorship_accepted", _("accepted the sponsorship")
        SPONSORSHIP_DECLINED = "sponsorship_declined", _("declined the sponsorship")
        SPONSORSHIP_WITHDRAWN = "sponsorship_withdrawn", _("withdrew the sponsorship proposal")
        SPONSORSHIP_REVOKED = "sponsorship_revoked", _("ended the sponsorship")

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField(max_length=24, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    email = models.EmailField(blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["cluster", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def is_about_sponsorship(self) -> bool:
        return self.action.startswith("sponsorship_")


class Sponsorship(models.Model):
    """An agency sponsors a cluster: one side proposes, the other accepts; either ends it.

    A cluster may hold several at once (one per agency); each row keeps who proposed,
    who decided and who ended it, and when.
    """

    class Side(models.TextChoices):
        CLUSTER = "cluster", _("the cluster")
        AGENCY = "agency", _("the agency")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested by the cluster")
        OFFERED = "offered", _("Offered by the agency")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REVOKED = "revoked", _("Ended")

    PENDING = (Status.REQUESTED, Status.OFFERED)
    OPEN = (Status.REQUESTED, Status.OFFERED, Status.ACTIVE)

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="sponsorships", db_index=False
    )
    agency = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="sponsorships",
        limit_choices_to={"kind": Organization.Kind.AGENCY},
        verbose_name=_("agency"),
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    proposed_by_side = models.CharField(max_length=8, choices=Side)
    # Who proposed it: the coordinator who asked, or the officer who offered.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Who accepted, declined or withdrew the proposal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sponsorship")
        verbose_name_plural = _("sponsorships")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "agency"],
                condition=Q(status__in=["requested", "offered", "active"]),
                name="one_open_sponsorship_per_cluster_and_agency",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "offered"]) | Q(decided_at__isnull=False),
                name="sponsorship_decided_when_answered",
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | Q(revoked_at__isnull=False),
                name="sponsorship_revoked_has_a_date",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["cluster", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.agency} → {self.cluster} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING

    @property
    def deciding_side(self) -> str:
        """The side whose answer a proposal waits for: the one that did not propose it."""
        return (
            self.Side.AGENCY if self.proposed_by_side == self.Side.CLUSTER else self.Side.CLUSTER
        )
