"""Guides: know-how written by mentors, reviewed by coordinators, versioned when published."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guides.catalogue import LANGUAGES
from network.models import Cluster


class Guide(models.Model):
    """A guide's working copy, which its authors edit; readers see `current_version`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        CLUSTER = "cluster", _("Members of its cluster")
        NETWORK = "network", _("The whole network")

    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="guides", db_index=False
    )
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="guides_written")
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        _("visible to"), max_length=8, choices=Visibility, default=Visibility.CLUSTER
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=600)
    body = models.TextField(_("guide"), max_length=50_000)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGES)
    products = models.JSONField(_("products (HS codes)"), default=list, blank=True)
    markets = models.JSONField(_("markets"), default=list, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    current_version = models.ForeignKey(
        "GuideVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    check_by = models.DateField(_("check again by"), null=True, blank=True)
    # The check_by date the authors and coordinators were last asked about: asked once per date.
    reminded_for = models.DateField(null=True, blank=True)
    # Kept by the services with F(), so lists never count marks.
    useful_count = models.PositiveIntegerField(default=0)
    promoted_from = models.ForeignKey(
        "forums.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        constraints = [
            models.UniqueConstraint(
                fields=["promoted_from"],
                condition=Q(promoted_from__isnull=False),
                name="one_guide_per_promoted_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "visibility", "-published_at", "-id"]),
            models.Index(fields=["check_by"]),
            models.Index(fields=["cluster", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guides:guide", args=[self.pk])

    @property
    def is_listed(self) -> bool:
        return self.current_version_id is not None and self.status != self.Status.ARCHIVED

    @property
    def is_overdue(self) -> bool:
        """Past its "check again by" date: readers are warned it may be out of date."""
        return self.check_by is not None and self.check_by < timezone.localdate()

    @property
    def may_be_out_of_date(self) -> bool:
        """Readers are warned: past its date, or a coordinator asked for it to be reviewed."""
        return self.is_overdue or self.status == self.Status.NEEDS_REVIEW


class GuideVersion(models.Model):
    """What was published, by whom, when and why; never changed afterwards."""

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="versions", db_index=False
    )
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField()
    body = models.TextField()
    body_html = models.TextField()
    language = models.CharField(max_length=2, choices=LANGUAGES)
    products = models.JSONField(default=list)
    markets = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("what changed and why"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("guide version")
        verbose_name_plural = _("guide versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="version_numbers_per_guide"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_numbers_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.guide_id} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("guides:version", args=[self.guide_id, self.number])


class GuideTag(models.Model):
    """The published version's products, markets and topics, one row each, for filtering."""

    class Kind(models.TextChoices):
        PRODUCT = "product"
        MARKET = "market"
        TOPIC = "topic"

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="tags", db_index=False)
    kind = models.CharField(max_length=8, choices=Kind)
    code = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guide", "kind", "code"], name="one_guide_tag_row")
        ]
        indexes = [models.Index(fields=["kind", "code", "guide"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class ReviewComment(models.Model):
    """The review trail: comments, and each step of the lifecycle with who took it."""

    class Action(models.TextChoices):
        COMMENT = "comment", _("commented")
        CREATED = "created", _("started the guide")
        SUBMITTED = "submitted", _("sent it for review")
        RETURNED = "returned", _("returned it to the authors")
        PUBLISHED = "published", _("published it")
        CONFIRMED = "confirmed", _("confirmed it is still current")
        FLAGGED = "flagged", _("marked it as needing review")
        ARCHIVED = "archived", _("archived it")
        AUTHOR_ADDED = "author_added", _("added an author")

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=14, choices=Action, default=Action.COMMENT)
    text = models.TextField(_("comment"), max_length=4000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["guide", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action} on {self.guide_id}"


class UsefulMark(models.Model):
    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="useful_marks", db_index=False
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guide", "reader"], name="one_useful_mark_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} found guide {self.guide_id} useful"


class CorrectionSuggestion(models.Model):
    """A reader's note that something in a guide is wrong or out of date, for its authors."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Taken up")
        DISMISSED = "dismissed", _("Dismissed")

    guide = models.ForeignKey(
        Guide, on_delete=models.CASCADE, related_name="suggestions", db_index=False
    )
    version = models.ForeignKey(
        GuideVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("what should change"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["guide", "status"])]

    def __str__(self) -> str:
        return f"correction to {self.guide_id}"
