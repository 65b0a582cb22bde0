"""Schemathesis over every operation of the OpenAPI schema (/api/v1/schema/), in-process through WSGI.

Generic over the schema: an operation added later is fuzzed without touching this file. Each generated case
(positive and negative data, about 25 per operation) is sent twice, as province staff and as a district
officer, each with a fresh API token, and every Schemathesis check runs on the answer: no server error,
documented status codes, content types, headers and bodies, invalid data rejected, valid data accepted.
The figures of a run (operations, cases, failures) are printed at the end (``-s`` shows them).
"""

import json
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from accounts import services
from accounts.models import Role, User
from tests.conftest import PASSWORD

EXAMPLES_PER_OPERATION = 25
FIGURES = Counter()


def _raw_schema() -> dict:
    # The same document /api/v1/schema/ serves (lazy translations turned into text).
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


class Application:
    """The WSGI app, built at the first call: its middleware then sees the test settings (plain HTTP)."""

    handler = None

    def __call__(self, environ, start_response):
        if self.handler is None:
            self.handler = WSGIHandler()
        return self.handler(environ, start_response)


# Every check is on. Valid data may still meet a 400 where a rule cannot be written in OpenAPI: a code that
# does not exist (API.md: an unknown indicator or commune is a 400), a file of a refused type, wrong
# credentials... so 400 (and the app's 409/423) count as an accepted answer to schema-valid data.
# The coverage phase is off: it sends every boundary case the schema defines, unbounded by max-examples;
# the examples and fuzzing phases keep the run to about 25 cases per operation.
CONFIG = SchemathesisConfig.from_dict({
    "phases": {"coverage": {"enabled": False}},
    "checks": {
        "positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "423", "429"]},
    },
})
schema = schemathesis.openapi.from_dict(_raw_schema(), config=CONFIG)
schema.app = Application()


@pytest.fixture
def tokens(db, units, agency):
    """Two roles: province staff (writes everything) and the officer of district A (writes its communes)."""
    staff = User.objects.create_user("fuzz_staff", password=PASSWORD, role=Role.PROVINCE_STAFF, is_staff=True)
    officer = User.objects.create_user(
        "fuzz_officer", password=PASSWORD, role=Role.DISTRICT_OFFICER, district=units.district_a
    )

    def key(user):
        # A fresh token for every call: DELETE /api/v1/auth/token/ revokes the one it is sent with.
        return services.api_token_issue(user=user)[1]

    return {"province_staff": lambda: key(staff), "district_officer": lambda: key(officer)}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request's end must not close the connection holding the test's
    transaction (with PostgreSQL, ``close_old_connections`` would)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True, scope="module")
def _report_figures():
    yield
    print(  # noqa: T201 - the figures the issue asks for
        f"\nschemathesis: {FIGURES['operations']} operations, {FIGURES['cases']} cases "
        f"({FIGURES['calls']} calls as 2 roles), {FIGURES['server_errors']} server errors, "
        f"{FIGURES['failures']} failed calls"
    )


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_ADDRESS_LIMIT=10_000)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_as_two_roles(case, tokens, request):
    if request.node.name not in FIGURES:
        FIGURES[request.node.name] = 1
        FIGURES["operations"] += 1
    FIGURES["cases"] += 1
    for role in ("province_staff", "district_officer"):
        FIGURES["calls"] += 1
        try:
            response = case.call_and_validate(headers={"Authorization": f"Token {tokens[role]()}", "Accept-Encoding": "identity"})
        except Exception:
            FIGURES["failures"] += 1
            raise
        if response.status_code >= 500:
            FIGURES["server_errors"] += 1
