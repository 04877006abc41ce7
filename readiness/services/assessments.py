"""A firm's people take the diagnostic: one dimension per page, each page saved as they go
(so they can stop and come back), then submitted and scored. Sharing with the firm's
mentors is theirs to turn on and off."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError, NotAllowed
from network.models import Organization, User
from readiness import scoring
from readiness.models import Answer, Assessment, Choice, Questionnaire
from readiness.selectors import pages_of, questionnaire_for


def firm_of(user: User) -> Organization | None:
    profile = getattr(user, "profile", None)
    organization = profile.organization if profile is not None else None
    if organization is None or organization.kind != Organization.Kind.FIRM:
        return None
    return organization


def _require_own(assessment: Assessment, by: User) -> None:
    firm = firm_of(by)
    if firm is None or firm.pk != assessment.organization_id:
        raise NotAllowed()


def start_assessment(*, user: User, questionnaire: Questionnaire | None = None) -> Assessment:
    """The firm's open draft, or a new one of the questionnaire meant for its people."""
    firm = firm_of(user)
    if firm is None:
        raise DomainError(
            gettext_lazy("Add your firm to your profile to take the diagnostic."), code="no_firm"
        )
    draft = Assessment.objects.filter(organization=firm, status=Assessment.Status.DRAFT).first()
    if draft is not None:
        return draft
    questionnaire = questionnaire or questionnaire_for(user)
    if questionnaire is None or not questionnaire.is_published:
        raise DomainError(gettext_lazy("No questionnaire is published yet."))
    try:
        with transaction.atomic():
            return Assessment.objects.create(
                organization=firm, questionnaire=questionnaire, started_by=user
            )
    except IntegrityError:  # someone else at the firm started one at the same moment
        return Assessment.objects.get(organization=firm, status=Assessment.Status.DRAFT)


def _locked_draft(assessment: Assessment, by: User) -> Assessment:
    _require_own(assessment, by)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != Assessment.Status.DRAFT:
        raise DomainError(gettext_lazy("This diagnostic is already submitted."), code="submitted")
    return assessment


@transaction.atomic
def save_page(*, assessment: Assessment, by: User, page: int, answers: dict[int, int]) -> None:
    """Keep the answers of one page (question id -> choice id); the draft resumes after it."""
    assessment = _locked_draft(assessment, by)
    pages = pages_of(assessment.questionnaire)
    if not 0 <= page < len(pages):
        raise DomainError(gettext_lazy("That page does not exist."))
    questions = {question.pk: question for question in pages[page].questions}
    for question_id, choice_id in answers.items():
        question = questions.get(question_id)
        if question is None or choice_id not in {c.pk for c in question.choices.all()}:
            raise DomainError(gettext_lazy("Choose one of the answers given."))
        Answer.objects.update_or_create(
            assessment=assessment, question=question, defaults={"choice_id": choice_id}
        )
    assessment.page = min(max(assessment.page, page + 1), len(pages) - 1)
    assessment.save(update_fields=["page", "updated_at"])


@transaction.atomic
def submit(*, assessment: Assessment, by: User) -> Assessment:
    """Score the finished draft: every question must have its answer."""
    assessment = _locked_draft(assessment, by)
    pages = pages_of(assessment.questionnaire)
    chosen = dict(assessment.answers.values_list("question_id", "choice_id"))
    points = dict(Choice.objects.filter(pk__in=chosen.values()).values_list("pk", "points"))
    answered = []
    for number, page in enumerate(pages):
        for question in page.questions:
            if question.pk not in chosen:
                assessment.page = number
                assessment.save(update_fields=["page", "updated_at"])
                raise DomainError(
                    _("Answer every question of “%(page)s” first.") % {"page": page.name},
                    code="unanswered",
                )
            answered.append(
                scoring.Scored(
                    dimension=question.dimension,
                    weight=question.weight,
                    points=points[chosen[question.pk]],
                    best=max((c.points for c in question.choices.all()), default=0),
                )
            )
    assessment.scores = scoring.dimension_scores(answered)
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    # Sharing is the firm's choice, not one submission's: the new one follows it.
    assessment.shared_with_mentors = _firm_shares(assessment.organization_id)
    assessment.save(
        update_fields=["scores", "status", "submitted_at", "shared_with_mentors", "updated_at"]
    )
    return assessment


def _firm_shares(organization_id: int) -> bool:
    latest = (
        Assessment.objects.filter(
            organization_id=organization_id, status=Assessment.Status.SUBMITTED
        )
        .order_by("-submitted_at", "-pk")
        .values_list("shared_with_mentors", flat=True)
        .first()
    )
    return bool(latest)


@transaction.atomic
def set_sharing(*, assessment: Assessment, by: User, shared: bool) -> Assessment:
    """Let the firm's mentors read the answers, or stop them; the firm's people decide, for
    every submission of the firm at once (and the ones it makes later follow)."""
    _require_own(assessment, by)
    Assessment.objects.filter(organization_id=assessment.organization_id).update(
        shared_with_mentors=shared
    )
    assessment.shared_with_mentors = shared
    return assessment
