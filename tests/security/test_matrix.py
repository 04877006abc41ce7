"""Every route x every role, with the answer each must get; a new route fails until classified."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests.security.conftest import count
from tests.security.matrix import STANDS_FOR, discover_routes, probes_for, table
from tests.security.routes import ADMIN_NAMESPACE, TABLE
from tests.security.world import FORMER_ROLES, OBSERVER, ROLES

pytestmark = pytest.mark.django_db


def test_every_route_is_in_the_table():
    named, unnamed = discover_routes()
    found = {name for name in named if not name.startswith(f"{ADMIN_NAMESPACE}:")}
    assert sorted(found - TABLE.keys()) == [], "routes nobody classified: add them to routes.py"
    assert sorted(TABLE.keys() - found) == [], "classified routes that no longer exist"
    # A route without a name could not be classified; only the admin's catch-all has none.
    assert [p for p in unnamed if not p.startswith(f"{ADMIN_NAMESPACE}:")] == []
    for name, probes in TABLE.items():
        for probe in probes:
            assert set(probe.expect) == set(ROLES), name
            # A 403 would tell someone outside that the thing exists: they are told 404.
            outside = ("anonymous", "outsider", "other_coordinator", "other_officer", "officer")
            assert all(probe.expect[role] != "403" for role in outside), name


def _methods(name: str) -> set[str]:
    return {probe.method for probe in TABLE.get(name, [])}


def test_every_operation_of_the_agency_api_schema_is_in_the_table():
    schema = Client().get(reverse("agency_api:openapi-json")).json()
    operations = {
        (resolve(re.sub(r"\{[^}]+\}", "1", path)).view_name, method.upper())
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations, "the schema lists no operations"
    assert {(name, method) for name, method in operations if method not in _methods(name)} == set()


def test_every_documented_call_of_the_forum_api_is_in_the_table():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "realtime.md").read_text()
    documented = {
        (resolve(re.sub(r"<[^>]+>", "1", path)).view_name, method)
        for method, path in re.findall(r"^\| `([A-Z]+) (/api/[^`?\s]+)", docs, re.MULTILINE)
    }
    assert documented, "docs/realtime.md lists no API calls"
    assert {(name, method) for name, method in documented if method not in _methods(name)} == set()
    # And nothing the forum API answers goes undocumented.
    probed = {
        (name, probe.method)
        for name, probes in TABLE.items()
        if name.startswith("forums:api_")
        for probe in probes
    }
    assert probed == documented


def test_every_route_answers_every_role_as_expected(matrix):
    named, _unnamed = discover_routes()
    outcomes = [
        matrix.run(name, probe, role)
        for name, route in sorted(named.items())
        for probe in probes_for(name, route)
        for role in ROLES
    ]
    count("route x role", len(outcomes))
    failures = [outcome for outcome in outcomes if not outcome.passed]
    assert not failures, f"{len(failures)} of {len(outcomes)} cases wrong:\n{table(failures)}"


def test_no_one_reaches_the_other_clusters_objects_by_their_ids(matrix):
    named, _unnamed = discover_routes()
    outcomes = [
        matrix.run(name, probe, role, side="b", expected=probe.expect[stands_for])
        for name, route in sorted(named.items())
        for probe in probes_for(name, route)
        if probe.scoped
        for role, stands_for in STANDS_FOR.items()
    ]
    count("object ids of the other cluster in URLs", len(outcomes))
    failures = [outcome for outcome in outcomes if not outcome.passed]
    assert not failures, f"{len(failures)} of {len(outcomes)} cases wrong:\n{table(failures)}"


def test_members_suspended_or_gone_are_outsiders(matrix):
    """A suspended mentor and a coordinator who left fare as the outsider at every object."""
    named, _unnamed = discover_routes()
    outcomes = [
        matrix.run(name, probe, role, expected=probe.expect["outsider"])
        for name, route in sorted(named.items())
        for probe in probes_for(name, route)
        if probe.scoped
        for role in FORMER_ROLES
    ]
    count("route x suspended or former member", len(outcomes))
    failures = [outcome for outcome in outcomes if not outcome.passed]
    assert not failures, f"{len(failures)} of {len(outcomes)} cases wrong:\n{table(failures)}"


# An agency observer of side a is told as a member is, except where a member writes: there
# it is refused (a message, a 403, or 404 for an edit of what it did not write). In the
# pairing's conversation it is a member who is no party to it, as the coordinator is.
OBSERVER_REFUSED = {
    ("forums:new_topic", "GET", ""): "302",
    ("forums:new_topic", "POST", ""): "no",
    ("forums:reply", "POST", ""): "no",
    ("forums:edit_post", "GET", ""): "404",
    ("forums:edit_post", "POST", ""): "404",
    ("forums:post_action", "POST", "helpful on the mentor's answer"): "403",
    ("forums:post_action", "POST", "accept the coordinator's reply"): "403",
    ("forums:api_topic_posts", "POST", ""): "403",
}


def _observer_answer(name: str, probe) -> str:
    refused = OBSERVER_REFUSED.get((name, probe.method, probe.label))
    if refused is not None:
        return refused
    return probe.expect["coordinator" if probe.label == "conversation" else "follower"]


def test_agency_observers_read_the_forum_as_members_do_and_write_nothing(matrix):
    named, _unnamed = discover_routes()
    outcomes = [
        matrix.run(name, probe, OBSERVER, expected=_observer_answer(name, probe))
        for name, route in sorted(named.items())
        if name.startswith("forums:")
        for probe in probes_for(name, route)
    ]
    count("route x agency observer", len(outcomes))
    assert {(o.name, o.probe.method, o.probe.label) for o in outcomes} >= OBSERVER_REFUSED.keys()
    failures = [outcome for outcome in outcomes if not outcome.passed]
    assert not failures, f"{len(failures)} of {len(outcomes)} cases wrong:\n{table(failures)}"
