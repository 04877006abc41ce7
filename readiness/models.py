"""Questionnaires (versioned data: questions and choices in three languages) and the firms'
assessments: a draft answered page by page, then submitted with a score per dimension."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from network.models import Cluster, Organization
from readiness import dimensions

LANGUAGES = [code for code, _name in settings.LANGUAGES]
MAX_WEIGHT = 5
MAX_POINTS = 10


def translated(texts: dict, fallback: str = "es") -> str:
    """The text in the reader's language, else in the questionnaire's, else any written."""
    language = translation.get_language() or fallback
    for code in (language, language.split("-")[0], fallback):
        if texts.get(code):
            return texts[code]
    return next((text for text in texts.values() if text), "")


class Questionnaire(models.Model):
    """One version of a questionnaire. Once published it never changes: an edit starts the
    next version of the same family, so every submitted assessment keeps its questions."""

    family = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveSmallIntegerField(default=1)
    title = models.JSONField(default=dict)  # language -> text
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="es")
    # The shipped default has neither; a copy belongs to one cluster or one programme.
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    programme = models.ForeignKey(
        "incentives.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="one_version_number"),
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(published_at__isnull=True),
                name="one_open_draft_per_family",
            ),
            models.CheckConstraint(
                condition=Q(cluster__isnull=True) | Q(programme__isnull=True),
                name="questionnaire_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_title} v{self.version}"

    @property
    def display_title(self) -> str:
        return translated(self.title, self.language)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_default(self) -> bool:
        return self.cluster_id is None and self.programme_id is None


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    dimension = models.CharField(_("dimension"), max_length=20, choices=dimensions.CHOICES)
    text = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=MAX_WEIGHT), name="question_weight_range"
            )
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return translated(self.text, self.questionnaire.language)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.JSONField(default=dict)
    points = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(points__lte=MAX_POINTS), name="choice_points_range")
        ]

    def __str__(self) -> str:
        return translated(self.text)


class Assessment(models.Model):
    """A firm's run of a questionnaire: saved page by page, then submitted and scored."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="readiness_assessments",
        db_index=False,
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    page = models.PositiveSmallIntegerField(default=0)  # the next page to answer
    scores = models.JSONField(default=dict)  # dimension code -> 0..100, once submitted
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The firm's mentors see the answers only while this is on; it is the firm's choice,
    # the same on all its assessments (services.assessments.set_sharing).
    shared_with_mentors = models.BooleanField(default=False)
    reminded_6_at = models.DateTimeField(null=True, blank=True)
    reminded_12_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=Q(status="draft"), name="one_draft_per_firm"
            )
        ]
        indexes = [models.Index(fields=["organization", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.organization} ({self.status})"

    def get_absolute_url(self) -> str:
        if self.status == self.Status.DRAFT:
            return reverse("readiness:page", args=[self.pk, self.page])
        return reverse("readiness:result", args=[self.pk])


class Answer(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="one_answer_each")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice_id}"
