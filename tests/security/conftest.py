"""One world per module, built inside a transaction that is rolled back when the module ends."""

import pytest
from django.db import transaction

from tests.reporting import report
from tests.security.matrix import Matrix
from tests.security.world import build_world

# Cases each check ran, printed at the end of the run.
CHECKED: dict[str, int] = {}


def count(what: str, cases: int) -> None:
    CHECKED[what] = CHECKED.get(what, 0) + cases
    routes = what.startswith(("route x", "socket route x"))
    report("route x role cases checked" if routes else "object-level cases checked", cases)
    print(f"{what}: {cases} cases checked")


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        matrix = Matrix(build_world())
        yield matrix
        transaction.set_rollback(True)


def pytest_terminal_summary(terminalreporter):
    if CHECKED:
        terminalreporter.section("access control")
        for what, cases in CHECKED.items():
            terminalreporter.write_line(f"{what}: {cases} cases checked")
