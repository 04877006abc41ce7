"""The shipped questionnaire and goal templates come back after `flush`, as after migrate:
a database emptied by hand or by a test still has a diagnostic to take."""

import pytest
from django.core.management import call_command

from mentoring.models import GoalTemplate
from readiness.selectors import default_questionnaire

pytestmark = pytest.mark.django_db(transaction=True)


def test_flush_leaves_the_shipped_questionnaire_and_goal_templates():
    call_command("flush", interactive=False, verbosity=0)
    questionnaire = default_questionnaire()
    assert questionnaire is not None and questionnaire.published_at is not None
    assert questionnaire.questions.count() == 27
    assert GoalTemplate.objects.exists()
