"""Questionnaires as data: the default is copied for a cluster or a programme and adapted in
plain forms. A published version is never changed; editing one starts the next version of
the same family, which is published when ready."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, NotAllowed
from incentives import selectors as incentives
from network.models import Cluster, User
from network.selectors import is_coordinator
from readiness import dimensions
from readiness.models import LANGUAGES, MAX_POINTS, MAX_WEIGHT, Choice, Question, Questionnaire

MAX_TEXT = 500
MAX_QUESTIONS = 60
MAX_CHOICES = 6


def language_of(cluster: Cluster) -> str:
    """The language a cluster's people write in: Portuguese in Brazil, Spanish elsewhere."""
    return "pt-br" if str(cluster.country) == "BR" else "es"


def may_edit(*, user: User, questionnaire: Questionnaire) -> bool:
    """Its cluster's coordinators, or its programme's agency officers; nobody edits the
    shipped default (a copy of it is adapted instead)."""
    if questionnaire.cluster_id is not None:
        return is_coordinator(user=user, cluster=questionnaire.cluster_id)
    if questionnaire.programme_id is not None:
        return _officer(user, questionnaire.programme_id)
    return False


def _officer(user: User, programme_id: int) -> bool:
    try:
        incentives.programme_for(user, programme_id)
    except Http404:
        return False
    return True


def _texts(value: dict) -> dict:
    texts = {
        code: str(value.get(code) or "").replace("\x00", "").strip()[: MAX_TEXT + 1]
        for code in LANGUAGES
    }
    if any(len(text) > MAX_TEXT for text in texts.values()):
        raise DomainError(_("Each text holds at most 500 characters."))
    if not any(texts.values()):
        raise DomainError(_("Write the text in at least one language."))
    return {code: text for code, text in texts.items() if text}


def _copy_into(source: Questionnaire, target: Questionnaire) -> None:
    for question in source.questions.prefetch_related("choices"):
        copy = Question.objects.create(
            questionnaire=target,
            dimension=question.dimension,
            text=question.text,
            position=question.position,
            weight=question.weight,
        )
        Choice.objects.bulk_create(
            Choice(question=copy, text=choice.text, points=choice.points, position=choice.position)
            for choice in question.choices.all()
        )


@transaction.atomic
def copy_questionnaire(
    *, source: Questionnaire, by: User, cluster: Cluster | None = None, programme=None
) -> Questionnaire:
    """A draft copy of `source` for the cluster or the programme, to adapt and publish."""
    if (cluster is None) == (programme is None):
        raise DomainError(_("Copy it for one cluster or one programme."))
    owner = Questionnaire(cluster=cluster, programme=programme)
    if not may_edit(user=by, questionnaire=owner):
        raise NotAllowed()
    if not source.is_published:
        raise DomainError(_("Only a published questionnaire can be copied."))
    copy = Questionnaire.objects.create(
        title=source.title,
        language=source.language if cluster is None else language_of(cluster),
        cluster=cluster,
        programme=programme,
        based_on=source,
        created_by=by,
    )
    _copy_into(source, copy)
    return copy


@transaction.atomic
def start_new_version(*, questionnaire: Questionnaire, by: User) -> Questionnaire:
    """The next version of a published questionnaire, as a draft holding the same questions;
    the one already open if there is one. The family's versions are locked while this is
    decided, and the database keeps a family to one open draft whatever happens."""
    if not may_edit(user=by, questionnaire=questionnaire):
        raise NotAllowed()
    family = list(
        Questionnaire.objects.select_for_update()
        .filter(family=questionnaire.family)
        .order_by("version")
    )
    open_draft = next((version for version in family if not version.is_published), None)
    if open_draft is not None:
        return open_draft
    latest = family[-1]
    try:
        with transaction.atomic():
            draft = Questionnaire.objects.create(
                family=questionnaire.family,
                version=latest.version + 1,
                title=latest.title,
                language=latest.language,
                cluster=latest.cluster,
                programme=latest.programme,
                based_on=latest,
                created_by=by,
            )
    except IntegrityError:
        raise DomainError(
            _("A new version was started at the same moment: open the questionnaire again."),
            code="draft_open",
        ) from None
    _copy_into(latest, draft)
    return draft


def _editable(questionnaire: Questionnaire, by: User) -> None:
    if not may_edit(user=by, questionnaire=questionnaire):
        raise NotAllowed()
    if questionnaire.is_published:
        raise DomainError(
            _("A published version never changes: start a new version to edit it."),
            code="published",
        )


@transaction.atomic
def save_question(
    *,
    questionnaire: Questionnaire,
    by: User,
    dimension: str,
    texts: dict,
    weight: int,
    choices: list[tuple[dict, int]],
    question: Question | None = None,
) -> Question:
    """Add a question to a draft, or change one of its questions, with its choices."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _editable(questionnaire, by)
    if question is not None and question.questionnaire_id != questionnaire.pk:
        raise NotAllowed()
    if dimension not in dimensions.CODES:
        raise DomainError(_("Choose a dimension."))
    if not 1 <= weight <= MAX_WEIGHT:
        raise DomainError(_("The weight is from 1 to 5."))
    if not 2 <= len(choices) <= MAX_CHOICES:
        raise DomainError(_("Give the question from 2 to 6 answers."))
    if any(not 0 <= points <= MAX_POINTS for _texts_, points in choices):
        raise DomainError(_("An answer gives from 0 to 10 points."))
    if not any(points for _texts_, points in choices):
        raise DomainError(_("At least one answer must give points."))
    cleaned = [(_texts(answer), points) for answer, points in choices]
    if question is None:
        if questionnaire.questions.count() >= MAX_QUESTIONS:
            raise DomainError(_("A questionnaire holds at most 60 questions."))
        top = questionnaire.questions.aggregate(top=Max("position"))["top"]
        question = Question(questionnaire=questionnaire, position=(top or 0) + 1)
    question.dimension = dimension
    question.text = _texts(texts)
    question.weight = weight
    question.save()
    question.choices.all().delete()
    Choice.objects.bulk_create(
        Choice(question=question, text=text, points=points, position=i)
        for i, (text, points) in enumerate(cleaned)
    )
    return question


@transaction.atomic
def remove_question(*, question: Question, by: User) -> None:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    _editable(questionnaire, by)
    question.delete()


@transaction.atomic
def publish(*, questionnaire: Questionnaire, by: User) -> Questionnaire:
    """The draft becomes the version firms take from now on."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _editable(questionnaire, by)
    if not questionnaire.questions.exists():
        raise DomainError(_("Add at least one question before publishing."))
    questionnaire.published_at = timezone.now()
    questionnaire.save(update_fields=["published_at"])
    return questionnaire
