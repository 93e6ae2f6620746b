"""Schemathesis against the API's own /api/openapi.json, in process through the WSGI application.

Every operation of the schema is fuzzed three times, as an anonymous caller, as a signed-in practitioner
and as a partnership's coordinator (Bearer tokens), so operations added later are covered with no change
here; then the stateful phase chains operations (an id one answer gives feeds the next request) as the
coordinator. Operations that destroy the caller's own access (deleting one's account, revoking one's token)
are left out of the coordinator's runs, or every later call would be a 401. Checks: no server error,
documented status codes, documented content types and headers, and bodies that match the schema.

Bounded and deterministic for CI: 25 generated examples per operation and generation mode (valid and
invalid requests), a fixed seed, derandomized Hypothesis and no example database. Each example runs in a
savepoint that is rolled back, so examples cannot change each other's data (and Hypothesis sees the same
API every time).
"""

import json
import os
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

# CI's bounds. A deeper run, e.g. nightly: FUZZ_MAX_EXAMPLES=500 FUZZ_COVERAGE=1 pytest -m fuzz
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
# Schemathesis's coverage phase (boundary values of every schema) ignores max_examples: its case count grows
# with each operation's schema and doubles the run, so CI leaves it out.
COVERAGE_PHASE = os.environ.get("FUZZ_COVERAGE", "") == "1"

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20250301,
        "phases": {"coverage": {"enabled": COVERAGE_PHASE}},
        "generation": {
            "deterministic": True,
            "max-examples": MAX_EXAMPLES,
            # Credentials are ours to send: made-up Authorization headers would only test the 401 path.
            "with-security-parameters": False,
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The practitioner and its token are function-scoped fixtures shared by an operation's examples; each
    # example still starts from the same data because it runs in a rolled-back savepoint.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _wsgi_keeps_the_test_connection():
    """Requests go through the real WSGI handler, which closes the DB connection at the end of each
    request; that would throw away the test's transaction (and SQLite's in-memory test database).
    Django's test client disconnects the same signal handlers for the same reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def practitioner_headers(practitioner, token_for):
    return token_for(practitioner)


@pytest.fixture
def coordinator_headers(coordinator, token_for):
    return token_for(coordinator)


# Deleting one's own account or revoking one's own token: the rest of the run would only see 401s.
SELF_DESTRUCTIVE = r"/me/delete$|/me/tokens/\{token_id\}$"
coordinator_schema = schema.exclude(method="POST", path_regex=SELF_DESTRUCTIVE).exclude(
    method="DELETE", path_regex=SELF_DESTRUCTIVE
)
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "15"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "8"))


def _call_and_validate(case, headers=None):
    with transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_anonymous(case):
    _call_and_validate(case)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_practitioner(case, practitioner_headers):
    _call_and_validate(case, practitioner_headers)


@coordinator_schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_coordinator(case, coordinator_headers):
    _call_and_validate(case, coordinator_headers)


def test_api_stateful_as_coordinator(coordinator_headers, partnership):
    """Schemathesis's stateful phase: sequences of calls linked by the ids the API answers with."""
    from hypothesis.stateful import run_state_machine_as_test

    base = coordinator_schema.as_state_machine()
    calls = []

    class CoordinatorMachine(base):
        def get_call_kwargs(self, case):
            return {"headers": coordinator_headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            calls.append(f"{case.method} {case.path}")
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)

    run_state_machine_as_test(
        CoordinatorMachine,
        settings=settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    assert len(calls) >= STATEFUL_EXAMPLES, "the state machine made no calls"


# --- Regressions of bugs the fuzzing found (undocumented 422s; 500s on integers past 2**63). ----------
def _operations(openapi: dict):
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


def _typed_parameters(operation: dict, types=("integer", "number", "boolean")):
    """Query and path parameters whose schema only some strings satisfy."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] not in {"query", "path"}:
            continue
        declared = parameter.get("schema", {})
        kinds = {declared.get("type")} | {option.get("type") for option in declared.get("anyOf", [])}
        if kinds & set(types):
            yield parameter["name"], parameter["in"]


def _request(client, method: str, path: str, params: dict, query: dict, headers: dict):
    url = path.format(**params) + (f"?{urlencode(query)}" if query else "")
    body = {} if method == "GET" else {"data": "{}", "content_type": "application/json"}
    with transaction.atomic():
        response = client.generic(method, url, headers=headers, **body)
        transaction.set_rollback(True)
    return response


def _probe(practitioner_headers, value) -> list[tuple[str, str, dict, object]]:
    """(operation, parameter, responses documented, response) for each typed parameter set to `value`."""
    openapi = json.loads(Client().get("/api/openapi.json").content)
    client = Client(raise_request_exception=False)
    answers = []
    for method, path, operation in _operations(openapi):
        path_params = {p["name"]: 1 for p in operation.get("parameters", []) if p["in"] == "path"}
        for name, location in _typed_parameters(operation):
            params = dict(path_params)
            query = {}
            if location == "path":
                params[name] = value
            else:
                query[name] = value
            response = _request(client, method, path, params, query, practitioner_headers)
            answers.append((f"{method} {path}", f"{location} {name}={value}", operation["responses"], response))
    return answers


def test_validation_errors_are_documented(practitioner_headers):
    """A parameter that does not validate gets 422, and the operation must document that 422."""
    undocumented = [
        f"{operation} with {parameter} → {response.status_code}, documented: {', '.join(documented)}"
        for operation, parameter, documented, response in _probe(practitioner_headers, "not-a-number")
        if response.status_code == 422 and "422" not in documented
    ]
    assert not undocumented, "undocumented 422:\n  " + "\n  ".join(undocumented)


def test_huge_integers_are_not_server_errors(practitioner_headers):
    """Integers the database cannot hold must be refused (422), never a 500."""
    errors = [
        f"{operation} with {parameter} → {response.status_code}"
        for operation, parameter, _, response in _probe(practitioner_headers, 2**64)
        if response.status_code >= 500
    ]
    assert not errors, "server errors:\n  " + "\n  ".join(errors)
