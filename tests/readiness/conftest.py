import pytest

from readiness.selectors import default_questionnaire, pages_of
from readiness.services import assessments
from tests.factories import ClusterFactory, OrganizationFactory, UserFactory, add_member


def shipped() -> None:
    """The shipped questionnaire and goal templates, as the migrations load them: a test that
    empties the database (transaction=True) loses them."""
    from django.utils import timezone

    from mentoring import goal_templates
    from mentoring.models import GoalTemplate
    from readiness import default_questionnaire
    from readiness.models import Choice, Question, Questionnaire

    default_questionnaire.install(Questionnaire, Question, Choice, now=timezone.now())
    goal_templates.install(GoalTemplate)


def take(user, *, level: int = 2, levels: dict | None = None):
    """The firm's diagnostic, every question answered at `level` (0-3), or per dimension."""
    assessment = assessments.start_assessment(user=user)
    for number, page in enumerate(pages_of(assessment.questionnaire)):
        chosen = (levels or {}).get(page.dimension, level)
        answers = {q.pk: list(q.choices.all())[chosen].pk for q in page.questions}
        assessments.save_page(assessment=assessment, by=user, page=number, answers=answers)
    return assessments.submit(assessment=assessment, by=user)


@pytest.fixture
def cluster(db):
    return ClusterFactory(coordinator=UserFactory(name="Carla"), name="Café del Huila")


@pytest.fixture
def firm_person(cluster):
    return add_member(cluster, UserFactory(name="Fabi", organization=OrganizationFactory()))


@pytest.fixture
def default(db):
    return default_questionnaire()
