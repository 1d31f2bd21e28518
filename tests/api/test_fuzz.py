"""Requests generated from the OpenAPI schema never get a 500, nor an answer it does not document.

schemathesis reads the schema the project publishes and, for every operation, sends requests
built from it: valid ones, and invalid ones (wrong types, values out of range, strings that
PostgreSQL refuses, ids that are not numbers). The app runs in-process (WSGI) against the
test database, called with the token of an agency administrator and of a supervisor, whose
agency has a site, a household and a case, so that lists have rows and forms have targets.

Each answer must not be a server error, and its status code, content type and body must be
ones the schema documents for that operation. `make test` runs a few examples per operation,
derandomized, so a run is short and reproducible; `make fuzz` runs many more
(FUZZ_EXAMPLES).
"""

import collections
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from protection.accounts.models import Role, User
from tests import factories
from tests.api.schema import openapi_schema
from tests.casework.conftest import open_case
from tests.incidents.conftest import make_user

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# `make fuzz` (FUZZ_THOROUGH=1) adds schemathesis's coverage phase, a few hundred boundary
# cases per operation (each field's limits, each wrong type), and shrinks a failing example
# to the smallest one; both cost minutes, too long for every `make test`.
THOROUGH = os.environ.get("FUZZ_THOROUGH", "") == "1"
PHASES = [Phase.explicit, Phase.generate] + ([Phase.shrink] if THOROUGH else [])
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The published schema, bound to the app served in-process; FUZZ_OPERATIONS (a regex on
# "METHOD /path", e.g. "POST /api/v1/incidents/$") narrows it to some operations.
published = schemathesis.openapi.from_dict(openapi_schema())
published.app = WSGIHandler()
published.config.phases.coverage.enabled = THOROUGH
schema: BaseSchema = published
if os.environ.get("FUZZ_OPERATIONS"):
    schema = published.include(name_regex=os.environ["FUZZ_OPERATIONS"])


_REQUESTS: collections.Counter[str] = collections.Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print how many operations were called, with how many requests."""
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None and _REQUESTS:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nschemathesis: {len(_REQUESTS)} operations, {sum(_REQUESTS.values())} "
                f"requests ({EXAMPLES} examples per operation"
                f"{', coverage phase' if THOROUGH else ''}, an administrator and a supervisor "
                "in turn)"
            )


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Keep the test's connection open across requests, as Django's own test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def callers(agency: Any, site: Any, officer: Any) -> list[str]:
    """Return the tokens of an agency administrator and a supervisor, with records to see."""
    supervisor = make_user(agency=agency, role=Role.SUPERVISOR, username="fuzz_sup")
    admin = make_user(agency=agency, role=Role.ADMIN, username="fuzz_admin")
    household = factories.register_household(actor=officer, site=site)
    open_case(supervisor, household.members[0])
    return [_token(admin), _token(supervisor)]


def _token(user: User) -> str:
    _instance, token = AuthToken.objects.create(user=user)
    return token


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    phases=PHASES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_get_documented_answers(case: Any, callers: list[str]) -> None:
    # The callers take turns, so that each sees half the examples and the run stays short.
    token = callers[_REQUESTS[case.operation.label] % len(callers)]
    # werkzeug's client does not undo the gzip that GZipMiddleware adds; a browser would.
    headers = {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}
    response = None
    try:
        # A savepoint per request: a request that breaks the transaction (a 500 from the
        # database) must not break the ones after it.
        with transaction.atomic():
            response = case.call(headers=headers)
    except DatabaseError:
        assert response is not None  # Raised on leaving the savepoint, after the answer.
    _REQUESTS[case.operation.label] += 1
    case.validate_response(response, checks=CHECKS, headers=headers)
