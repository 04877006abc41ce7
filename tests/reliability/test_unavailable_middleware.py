"""The 503 middleware changes nothing while the database answers (its outage: see
test_database_outage.py, with a real PostgreSQL cut away)."""

import pytest
from django.http import HttpResponse

from core.middleware import DatabaseUnavailableMiddleware, database_answers


@pytest.mark.django_db
def test_a_500_stays_a_500_while_the_database_answers(rf):
    assert database_answers()
    broken = DatabaseUnavailableMiddleware(lambda request: HttpResponse("bug", status=500))
    assert broken(rf.get("/")).status_code == 500


@pytest.mark.django_db
def test_other_answers_pass_through(rf):
    fine = DatabaseUnavailableMiddleware(lambda request: HttpResponse("ok"))
    assert fine(rf.get("/")).content == b"ok"
