"""Mentor offers, follower needs, suggestions and pairings, goals and export records, sessions."""

import secrets
import uuid
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_countries.fields import CountryField
from taggit.managers import TaggableManager

from core import hs
from network.models import Cluster, Organization
from readiness import dimensions
from readiness.models import translated

MAX_CAPACITY = 20

# Topics mentors most often help with, kept by their English name and shown in the reader's
# language (scoring.topic_label); people may add their own, shown as written.
COMMON_TOPICS = [
    gettext_noop("rules of origin"),
    gettext_noop("certification"),
    gettext_noop("logistics"),
    gettext_noop("customs"),
    gettext_noop("export finance"),
    gettext_noop("buyer search"),
    gettext_noop("pricing"),
    gettext_noop("e-commerce"),
    gettext_noop("trade fairs"),
    gettext_noop("packaging and labelling"),
]


class Stage(models.TextChoices):
    EXPLORING = "exploring", _("Exploring whether to export")
    PREPARING = "preparing", _("Preparing a first export")
    FIRST_EXPORT = "first_export", _("Made a first export")
    OCCASIONAL = "occasional", _("Exports now and then")
    REGULAR = "regular", _("Exports every year")


class MentorOffer(models.Model):
    """What a mentor offers in one cluster, and how many mentees they can take."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor_offers",
        db_index=False,
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="mentor_offers", db_index=False
    )
    capacity = models.PositiveSmallIntegerField(
        _("mentees at most"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
    )
    products = models.JSONField(_("products (HS codes)"), default=list, blank=True)
    markets = CountryField(_("markets exported to"), multiple=True, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    topics = TaggableManager(_("topics"), blank=True)
    is_paused = models.BooleanField(_("paused"), default=False)
    accepts_competitors = models.BooleanField(
        _("accepts direct competitors"),
        default=False,
        help_text=_("Firms that want to sell your products into your markets."),
    )
    pitch = models.TextField(_("how I can help"), max_length=1000, blank=True)
    # Readiness dimensions (readiness.dimensions codes) the mentor is strong in: matching
    # weighs them against the follower's firm's weakest dimensions.
    strengths = models.JSONField(_("strengths"), default=list, blank=True)
    # Kept by the pairing services under a lock on this row: capacity is checked against it.
    active_mentees = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentor offer")
        verbose_name_plural = _("mentor offers")
        constraints = [
            models.UniqueConstraint(fields=["user", "cluster"], name="one_offer_per_cluster"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="offer_capacity_in_range",
            ),
        ]
        indexes = [models.Index(fields=["cluster", "is_paused"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.cluster}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.active_mentees, 0)


class MentoringNeeds(models.Model):
    """What a follower wants help with; one set per person, used in every cluster."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="mentoring_needs",
    )
    products = models.JSONField(_("target products (HS codes)"), default=list, blank=True)
    markets = CountryField(_("target markets"), multiple=True, blank=True)
    topics = TaggableManager(_("topics"), blank=True)
    languages = models.JSONField(_("preferred languages"), default=list, blank=True)
    stage = models.CharField(_("stage"), max_length=14, choices=Stage, default=Stage.EXPLORING)
    note = models.TextField(_("anything else a mentor should know"), max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mentoring needs")
        verbose_name_plural = _("mentoring needs")

    def __str__(self) -> str:
        return f"needs of {self.user}"


class Suggestion(models.Model):
    """A mentor shown to a follower; live ones count against the mentor's places left."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentor_suggestions",
        db_index=False,
    )
    offer = models.ForeignKey(
        MentorOffer, on_delete=models.CASCADE, related_name="suggestions", db_index=False
    )
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "offer"], name="one_suggestion_per_pair")
        ]
        indexes = [models.Index(fields=["offer", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.offer} for {self.follower}"


class Pairing(models.Model):
    """A mentor and a follower working together, from the first request to the end."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PROPOSED = "proposed", _("Proposed by a coordinator")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        ENDED = "ended", _("Ended")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Origin(models.TextChoices):
        REQUEST = "request", _("Requested by the follower")
        COHORT = "cohort", _("Proposed by a coordinator")

    OPEN = (Status.REQUESTED, Status.PROPOSED, Status.ACTIVE)

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="pairings", db_index=False
    )
    offer = models.ForeignKey(MentorOffer, on_delete=models.CASCADE, related_name="pairings")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pairings_as_mentor",
        db_index=False,
    )
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="pairings_as_follower",
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    origin = models.CharField(max_length=8, choices=Origin, default=Origin.REQUEST)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    follower_accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The private live conversation, opened when the pairing becomes active.
    conversation = models.ForeignKey(
        "forums.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["cluster", "mentor", "follower"],
                condition=Q(status__in=["requested", "proposed", "active"]),
                name="one_open_pairing_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("follower")), name="pairing_of_two_people"
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["follower", "status"]),
            models.Index(fields=["cluster", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentoring {self.follower} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:pairing", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    def involves(self, user) -> bool:
        return user.pk in (self.mentor_id, self.follower_id)


class ExportRecord(models.Model):
    """One product a firm exported to one country in one year; outcomes derive from these."""

    class ValueBand(models.TextChoices):
        UNDER_10K = "lt10k", _("under USD 10,000")
        UNDER_100K = "lt100k", _("USD 10,000 to 100,000")
        UNDER_1M = "lt1m", _("USD 100,000 to 1 million")
        OVER_1M = "gte1m", _("over USD 1 million")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="export_records", db_index=False
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    hs_code = models.CharField(_("HS code"), max_length=4, validators=[hs.validate_code])
    country = CountryField(_("destination"))
    value_band = models.CharField(_("value"), max_length=6, choices=ValueBand)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-year", "hs_code", "country"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "hs_code", "country"],
                name="one_export_record_per_product_market_year",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1950, year__lte=2100), name="export_year_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.hs_code} to {self.country} in {self.year}"


class MentorInvitation(models.Model):
    """The one invitation a person gets to mentor, once their firm exports two years running.

    One row per person, ever (the unique user is what makes it race-safe): declined, it
    never comes back; accepted, it lets them offer mentoring in its cluster."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class Source(models.TextChoices):
        RECORDED = "recorded", _("Exports the firm recorded")
        IMPORTED = "imported", _("Customs records of the firm")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_invitation"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="mentor_invitations"
    )
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    products = models.JSONField(default=list, blank=True)
    markets = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=8, choices=Source)
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mentor invitation")
        verbose_name_plural = _("mentor invitations")
        indexes = [models.Index(fields=["cluster", "status"])]

    def __str__(self) -> str:
        return f"{self.user} invited to mentor in {self.cluster} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Goal(models.Model):
    """An export outcome a pairing works towards; met by hand or by the export records."""

    class Outcome(models.TextChoices):
        ENTRY = "entry", _("Entry: a first export")
        DIVERSIFICATION = "diversification", _("Diversification: a new product or market")
        SURVIVAL = "survival", _("Survival: exporting again the following year")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        MET = "met", _("Met")
        MISSED = "missed", _("Missed")
        DROPPED = "dropped", _("Dropped")

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="goals")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="export_goals", db_index=False
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    title = models.CharField(_("title"), max_length=200)
    hs_code = models.CharField(
        _("product (HS code)"), max_length=4, blank=True, validators=[hs.validate_code]
    )
    market = CountryField(_("market"), blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("The year the export should happen.")
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.OPEN)
    met_at = models.DateTimeField(null=True, blank=True)
    met_by = models.ForeignKey(
        ExportRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["status", "year", "id"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.title


class GoalTemplate(models.Model):
    """A goal a firm can adopt into its pairing when the diagnostic finds a dimension weak:
    its title and first steps in each language."""

    dimension = models.CharField(_("dimension"), max_length=20, choices=dimensions.CHOICES)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Goal.Outcome)
    title = models.JSONField(default=dict)  # language -> text
    steps = models.JSONField(default=list)  # [language -> text], the milestones
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("goal template")
        verbose_name_plural = _("goal templates")
        ordering = ["dimension", "position", "id"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return translated(self.title)

    @property
    def display_steps(self) -> list[str]:
        return [translated(step) for step in self.steps]


class Milestone(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


def _time_zone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Session(models.Model):
    """A one-to-one session inside a pairing, or a group session a coordinator runs."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("One-to-one")
        GROUP = "group", _("Group session")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="sessions", db_index=False
    )
    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, null=True, blank=True, related_name="sessions"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hosted_sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    agenda = models.TextField(_("agenda"), max_length=4000, blank=True)
    # Stored in UTC; time_zone is where the host set the time, and what daylight saving follows.
    starts_at = models.DateTimeField(_("starts at"))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=_time_zone_choices)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.SCHEDULED)
    notes = models.TextField(_("notes"), max_length=10_000, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Set by the first attending follower's confirmation: only then does the session count.
    held_confirmed_at = models.DateTimeField(null=True, blank=True)
    going_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="one_to_one", pairing__isnull=False)
                | Q(kind="group", pairing__isnull=True),
                name="one_to_one_sessions_belong_to_a_pairing",
            ),
        ]
        indexes = [
            models.Index(fields=["cluster", "starts_at"]),
            models.Index(fields=["status", "reminder_sent_at", "starts_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("mentoring:session", args=[self.pk])

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


class Attendance(models.Model):
    """One person's answer to a session, their place or the waiting list, and whether they came."""

    class Answer(models.TextChoices):
        YES = "yes", _("Going")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("Not going")

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendances", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="session_attendances",
        db_index=False,
    )
    answer = models.CharField(_("answer"), max_length=5, choices=Answer)
    waitlisted = models.BooleanField(default=False)
    answered_at = models.DateTimeField()
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_answer_per_session")
        ]
        indexes = [models.Index(fields=["user", "answer"])]

    def __str__(self) -> str:
        return f"{self.user} {self.answer} to {self.session_id}"


class SessionFeedback(models.Model):
    """An attending follower's confirmation that the session took place, and how it went."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="feedback", db_index=False
    )
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_feedback"
    )
    took_place = models.BooleanField(_("the session took place"))
    useful = models.BooleanField(_("it was useful"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "follower"], name="one_confirmation_per_follower"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="rating_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follower} on {self.session_id}"


def _calendar_token() -> str:
    return secrets.token_urlsafe(24)


# A feed address, like any bearer key, stops working after a while: a copy left in an old
# calendar, a shared screen or a forwarded email does not open the schedule for ever. The
# member's calendar page issues a fresh one when theirs has lapsed.
FEED_LIFETIME = timedelta(days=365)


class CalendarFeed(models.Model):
    """The private address of a member's calendar feed; revoking it issues a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_calendar_token)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:calendar_feed", args=[self.token])

    @property
    def expires_at(self) -> datetime:
        return self.created_at + FEED_LIFETIME

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
