"""The agency API fuzzed against its own OpenAPI schema with Schemathesis, in-process (WSGI),
with a real officer's key: no 500, and every answer as the schema describes it."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.reporting import report

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 20


@pytest.fixture(scope="module")
def _keep_the_test_connection():
    """Called through WSGI, Django closes the database connection around each request, as
    it should in a server; here that connection holds the test's transaction (the test
    client disconnects the same signals)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def schema(world, _keep_the_test_connection):
    return schemathesis.openapi.from_wsgi(
        reverse("agency_api:openapi-json"), get_wsgi_application()
    )


def _fuzz(strategy, headers: dict, *, examples: int = EXAMPLES) -> int:
    calls = []

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None)
    @given(case=strategy)
    def call(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        calls.append(response.status_code)

    call()
    return len(calls)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_agency_api_matches_its_schema_for_any_input(world, schema, mode):
    headers = {"Authorization": f"Bearer {world.a.api_key}"}
    cases = _fuzz(schema.as_strategy(generation_mode=mode), headers)
    # Aimed at a real programme, so the answers hold rows and not only 404s.
    programme = {"programme_id": world.a.programme.pk}
    for result in schema.get_all_operations() if mode == GenerationMode.POSITIVE else []:
        operation = result.ok()
        if "programme_id" in operation.path:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=programme)
            cases += _fuzz(strategy, headers)
    print(f"schemathesis {mode.value}: {cases} cases")
    report("hostile inputs tried", cases)
    report("hostile inputs rendered or refused harmlessly", cases)


def test_agency_api_without_or_with_a_bad_key_answers_as_documented(world, schema):
    cases = 0
    for headers in [{}, {"Authorization": "Bearer pio_wrong"}]:
        cases += _fuzz(schema.as_strategy(), headers, examples=10)
    report("hostile inputs tried", cases)
    report("hostile inputs rendered or refused harmlessly", cases)
