"""A world of two private clusters (tests/security/world.py), built once per module and
rolled back when the module ends."""

import pytest
from django.db import transaction

from tests.security.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
