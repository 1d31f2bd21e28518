"""Every POST of the API is safe to retry under an Idempotency-Key.

A retry with the same key and body answers the first answer's status and body, marked
Idempotent-Replayed, and writes nothing: no row in any table (the read of the record it shows
is logged, as any read is); the same key with another body answers 422; keys are per user.
The rows come from the permission matrices, so a new POST endpoint is covered by adding it
there (the route-coverage test insists), and fails here until its replay answers.
"""

import json
import re
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident
from protection.models import AuditEvent
from tests import factories
from tests.api import test_permissions as casework_matrix
from tests.api import test_permissions_alerts as alerts_matrix
from tests.api.conftest import SchemaCheckedClient
from tests.api.test_permissions import COLUMNS, world  # noqa: F401 (the matrix's records)
from tests.matrix_world import alerting_world
from tests.rows import row_counts

pytestmark = pytest.mark.django_db


def _post(client: SchemaCheckedClient, path: str, body: Any, key: str | None) -> Any:
    headers: dict[str, Any] = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    data = "" if body is None else json.dumps(body)
    return client.generic("POST", path, data=data, content_type="application/json", **headers)


def _first_allowed(statuses: tuple[int, ...]) -> str:
    return next(COLUMNS[i] for i, code in enumerate(statuses) if 200 <= code < 300)


def _client(role: str, agency: Any) -> tuple[SchemaCheckedClient, Any]:
    user = factories.UserFactory(agency=agency, role=role)
    client = SchemaCheckedClient()
    client.login_with_token(user)
    return client, user


def _retry_writes_nothing(client: SchemaCheckedClient, path: str, body: Any) -> str:
    """POST under a key, retry twice (same body, then another); return what went wrong."""
    key = str(uuid.uuid4())
    first = _post(client, path, body, key)
    if not 200 <= first.status_code < 300:
        return f"first answer {first.status_code}: {first.content[:200]!r}"
    rows, audit = row_counts(), AuditEvent.objects.count()
    again = _post(client, path, body, key)
    other = _post(client, path, {**(body or {}), "unexpected": "other body"}, key)
    problems = []
    if (again.status_code, again.json()) != (first.status_code, first.json()):
        problems.append(f"replay {again.status_code} {again.json()} != {first.json()}")
    if again.headers.get("Idempotent-Replayed") != "true":
        problems.append("replay not marked Idempotent-Replayed")
    if "Idempotent-Replayed" in first.headers:
        problems.append("first answer marked as a replay")
    if other.status_code != 422 or other.json()["code"] != "idempotency_key_reused":
        problems.append(f"other body answered {other.status_code}")
    if (row_counts(), AuditEvent.objects.count()) != (rows, audit):
        changed = {k: v for k, v in row_counts().items() if rows[k] != v}
        problems.append(f"retries wrote rows: {changed}")
    return "; ".join(problems)


def _keyed_posts(matrix: list[tuple[str, str, tuple[int, ...]]]) -> list[tuple[str, str]]:
    return [
        (endpoint, _first_allowed(statuses))
        for method, endpoint, statuses in matrix
        if method == "POST"
        and not endpoint.startswith("auth/")
        and any(200 <= code < 300 for code in statuses)
    ]


def test_every_casework_and_registry_post_is_done_once(world, agency) -> None:  # noqa: F811
    failures = {}
    for endpoint, role in _keyed_posts(casework_matrix.MATRIX):
        client, _user = _client(role, agency)
        body = world["payloads"].get(
            ("POST", endpoint), casework_matrix.BODIES.get(("POST", endpoint))
        )
        problem = _retry_writes_nothing(client, "/api/v1/" + endpoint.format(**world), body)
        if problem:
            failures[endpoint] = problem
    assert not failures


def test_every_incident_alert_and_webhook_post_is_done_once(agency, site, officer) -> None:
    ids = alerting_world(agency=agency, site=site, officer=officer, recipient=officer)
    failures = {}
    for endpoint, role in _keyed_posts(alerts_matrix.MATRIX):
        # The alert and notification are the officer's own; webhooks are an admin's.
        if endpoint.startswith(("alerts/", "notifications/")):
            client, user = SchemaCheckedClient(), officer
            client.login_with_token(officer)
        else:
            client, user = _client(role, agency)
        body = alerts_matrix._bodies(site, user, ids).get(("POST", endpoint))
        problem = _retry_writes_nothing(client, "/api/v1/" + endpoint.format(**ids), body)
        if problem:
            failures[endpoint] = problem
    assert not failures


# --- the key itself ---------------------------------------------------------------------------


def _report(site: Any, **overrides: Any) -> dict[str, Any]:
    return {**alerts_matrix._bodies(site, None)[("POST", "incidents/")], **overrides}


def test_keys_are_per_user(officer, site, client_for) -> None:
    colleague = factories.UserFactory(agency=officer.agency, role="protection_officer")
    key = str(uuid.uuid4())

    answers = [
        _post(client_for(user), "/api/v1/incidents/", _report(site), key)
        for user in (officer, colleague)
    ]

    assert [answer.status_code for answer in answers] == [201, 201]
    assert "Idempotent-Replayed" not in answers[1].headers
    assert Incident.objects.count() == 2


def test_a_quoted_key_is_the_same_key_and_key_order_in_the_body_does_not_matter(
    officer, site, client_for
) -> None:
    client = client_for(officer)
    body = _report(site)
    first = _post(client, "/api/v1/incidents/", body, "abc-123")
    reordered = dict(reversed(list(body.items())))

    again = _post(client, "/api/v1/incidents/", reordered, '"abc-123"')

    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-été", "tab\there"])
def test_a_malformed_key_is_a_field_error_and_writes_nothing(officer, site, client_for, key):
    client = client_for(officer)
    rows = row_counts()

    response = _post(client, "/api/v1/incidents/", _report(site), key)

    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert row_counts() == rows


def test_a_refused_request_leaves_the_key_free(officer, site, client_for) -> None:
    client, key = client_for(officer), str(uuid.uuid4())

    refused = _post(client, "/api/v1/incidents/", _report(site, severity=9), key)
    accepted = _post(client, "/api/v1/incidents/", _report(site), key)

    assert refused.status_code == 400 and "severity" in refused.json()
    assert accepted.status_code == 201 and "Idempotent-Replayed" not in accepted.headers
    assert Incident.objects.count() == 1


def test_possible_duplicates_then_confirmed_under_one_key(officer, site, client_for) -> None:
    from tests.api.payloads import household_payload, person_payload

    client, key = client_for(officer), str(uuid.uuid4())
    assert _post(client, "/api/v1/households/", household_payload(site), None).status_code == 201
    again = household_payload(site)

    conflict = _post(client, "/api/v1/households/", again, key)
    again["members"] = [person_payload(confirm_not_duplicate=True)]
    confirmed = _post(client, "/api/v1/households/", again, key)
    replayed = _post(client, "/api/v1/households/", again, key)

    assert conflict.status_code == 409 and conflict.json()["code"] == "possible_duplicates"
    assert confirmed.status_code == 201
    assert replayed.status_code == 201 and replayed.json() == confirmed.json()


def test_another_agency_replaying_a_users_key_gets_its_own_answer(
    officer, other_officer, site, client_for
) -> None:
    """A key names nothing outside its user: another agency's user reusing it is refused the
    record like any other request of theirs (400: a site they may not see)."""
    key = str(uuid.uuid4())
    _post(client_for(officer), "/api/v1/incidents/", _report(site), key)

    other = _post(client_for(other_officer), "/api/v1/incidents/", _report(site), key)

    assert other.status_code == 400 and "site" in other.json()
    assert "Idempotent-Replayed" not in other.headers


def test_the_key_costs_three_queries_and_a_replay_costs_a_read(officer, site, client_for):
    client, body = client_for(officer), _report(site)
    plain, keyed, replay, get = (CaptureQueriesContext(connection) for _ in range(4))
    with plain:
        _post(client, "/api/v1/incidents/", body, None)
    with keyed:
        _post(client, "/api/v1/incidents/", body, "k-1")
    with replay:
        again = _post(client, "/api/v1/incidents/", body, "k-1")
    with get:
        client.get(f"/api/v1/incidents/{again.json()['id']}/")

    statements = [query["sql"] for query in keyed.captured_queries]
    # The lock, the lookup, the insert; and here, inside the test's own transaction, the
    # savepoint and its release that stand for the request's transaction.
    assert len(keyed) - len(plain) == 5, statements
    assert sum("pg_try_advisory_xact_lock" in text for text in statements) == 1
    assert again.headers["Idempotent-Replayed"] == "true"
    # A replay is the GET of the record, plus the savepoint pair, the lock and the lookup.
    assert len(replay) == len(get) + 4
    assert not any(
        query["sql"].startswith('INSERT INTO "incidents') for query in replay.captured_queries
    )


# --- the schema -------------------------------------------------------------------------------


def test_every_post_documents_the_key_its_errors_and_the_replay_header() -> None:
    from tests.api.schema import openapi_schema

    checked = 0
    for path, operations in openapi_schema()["paths"].items():
        post = operations.get("post")
        if post is None:
            continue
        parameters = {p["name"]: p for p in post.get("parameters", []) if p["in"] == "header"}
        if path.startswith("/api/v1/auth/"):
            assert "Idempotency-Key" not in parameters, path
            continue
        key = parameters["Idempotency-Key"]
        assert not key.get("required") and key["schema"]["type"] == "string", path
        responses = post["responses"]
        assert {"409", "422"} <= set(responses), path
        assert "IdempotencyError" in json.dumps(responses["409"]), path
        assert "IdempotencyError" in json.dumps(responses["422"]), path
        success = next(code for code in responses if code.startswith("2"))
        assert "Idempotent-Replayed" in responses[success].get("headers", {}), path
        checked += 1
    assert checked >= 25


def test_the_replay_tests_cover_every_post_the_schema_lists() -> None:
    from tests.api.schema import openapi_schema

    def shape(endpoint: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", endpoint.removeprefix("/api/v1/"))

    listed = {
        shape(path)
        for path, operations in openapi_schema()["paths"].items()
        if "post" in operations and not path.startswith("/api/v1/auth/")
    }
    replayed = {
        shape(endpoint)
        for matrix in (casework_matrix.MATRIX, alerts_matrix.MATRIX)
        for endpoint, _role in _keyed_posts(matrix)
    }
    assert listed == replayed


# --- field mode's batched sync (protection/fieldsync.py) ---------------------------------------


def test_a_field_sync_record_is_saved_once_under_its_page_token_and_per_user(officer, site):
    """A record's id is its page form's one-time token: a form posted once by its page, then
    again in a batch (the answer was lost), then in the batch again, is saved once; the same
    id from another user is theirs."""
    from tests.incidents.test_pages import _form
    from tests.pages.conftest import signed_in

    colleague = factories.UserFactory(agency=officer.agency, role="protection_officer")
    fields = [[name, str(value)] for name, value in _form(site).items() if value != ""]
    record = {"id": "field-token-1", "action": "/incidents/report/", "fields": fields}
    clients = {user: signed_in(user) for user in (officer, colleague)}
    page = clients[officer].post(
        "/incidents/report/", {**dict(fields), "submission_token": "field-token-1"}
    )
    before = row_counts()

    def batch(user: Any) -> dict[str, str]:
        answer = clients[user].post(
            "/field/sync",
            json.dumps({"records": [record]}),
            content_type="application/json",
            headers={"X-Field-Sync": str(user.pk)},
        )
        return answer.json()["results"][0]

    replays = [batch(officer) for _ in range(2)]

    assert replays == [{"id": "field-token-1", "status": "saved", "location": page["Location"]}] * 2
    assert row_counts() == before  # the replays wrote nothing
    assert batch(colleague)["status"] == "saved"
    assert Incident.objects.count() == 2
