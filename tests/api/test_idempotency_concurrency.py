"""Retries that arrive while the first request still runs, over real connections: the API
answers 409 at once and a page waits; either way one record is written, never two.

The first request is kept running by a real lock it needs: another connection holds the
audit chain's lock (protection/audit_chain.py), so the request stops at its audit insert,
after it took its key and before it commits, as a slow request would.
"""

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from incidents.models import Alert, Incident
from protection.audit_chain import AUDIT_CHAIN, LOCK_NAMESPACE
from protection.idempotency import LOCK_NAMESPACE as KEY_LOCKS
from tests import factories
from tests.api.test_permissions_alerts import _bodies
from tests.incidents.conftest import make_policy
from tests.incidents.test_pages import _form as incident_form
from tests.rows import submission_tokens

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(work: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    """Start `work` in a thread of its own (its own database connection); return its result."""
    results: list[Any] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as error:  # reported by the test, from its own thread
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


def _waiting_for(namespace: int) -> int:
    """Return how many sessions of this test database wait for an advisory lock of the
    namespace (pg_locks shows the whole server, where other test runs may be waiting too)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid = %s AND database = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())",
            [namespace],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def _until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def _audit_chain_held() -> Iterator[None]:
    """Hold the audit chain's lock from another connection until the block ends."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, AUDIT_CHAIN.lock_key]
            )
            taken.set()
            release.wait(30)

    thread, _result = _in_thread(hold)
    taken.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


@pytest.fixture
def reporting(officer: Any, site: Any) -> tuple[Any, dict[str, Any]]:
    duty = factories.UserFactory(agency=officer.agency, role="protection_officer")
    make_policy(tiers=[{"users": [duty], "in_app": True}], minimum_severity=3)
    return officer, _bodies(site, officer)[("POST", "incidents/")]


def _api_post(user: Any, body: dict[str, Any], key: str) -> Any:
    client = APIClient()
    client.force_authenticate(user)
    return client.post(
        "/api/v1/incidents/",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retry_while_the_first_runs_answers_409_then_the_first_answer(reporting) -> None:
    officer, body = reporting
    key = str(uuid.uuid4())

    with _audit_chain_held():
        first, first_result = _in_thread(lambda: _api_post(officer, body, key))
        _until(lambda: _waiting_for(LOCK_NAMESPACE) == 1)  # The first waits for the chain.
        started = time.monotonic()
        busy = _api_post(officer, body, key)
        busy_seconds = time.monotonic() - started
    first.join(30)
    replayed = _api_post(officer, body, key)

    (created,) = first_result
    assert created.status_code == 201, created
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_key_in_use"
    assert busy["Retry-After"] == "1"
    assert busy_seconds < 5  # At once; waiting for the first would take the hold's 30 s.
    assert replayed.status_code == 201 and replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["id"] == created.json()["id"]
    assert Incident.objects.count() == 1
    assert Alert.objects.count() == 1


def test_simultaneous_requests_under_one_key_write_one_incident(reporting) -> None:
    officer, body = reporting
    key, start = str(uuid.uuid4()), threading.Barrier(4)

    def send() -> Any:
        start.wait()
        return _api_post(officer, body, key)

    threads = [_in_thread(send) for _sender in range(4)]
    for thread, _result in threads:
        thread.join(60)
    answers = [result[0] for _thread, result in threads]

    assert all(not isinstance(answer, BaseException) for answer in answers), answers
    fresh = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a]
    assert len(fresh) == 1
    assert {a.status_code for a in answers} <= {201, 409}
    assert Incident.objects.count() == 1 and Alert.objects.count() == 1


def test_a_page_sent_twice_at_once_waits_for_the_first_and_follows_it(reporting, site) -> None:
    officer, _body = reporting
    browser = Client()
    browser.force_login(officer)
    page = reverse("incidents:report")
    data = {**incident_form(site), "submission_token": submission_tokens(browser.get(page))[0]}

    with _audit_chain_held():
        first, first_result = _in_thread(lambda: browser.post(page, data))
        _until(lambda: _waiting_for(LOCK_NAMESPACE) == 1)
        second, second_result = _in_thread(lambda: browser.post(page, data))
        _until(lambda: _waiting_for(KEY_LOCKS) == 1)  # The second waits for the first's key.
    first.join(30)
    second.join(30)

    (one,), (two,) = first_result, second_result
    incident = Incident.objects.get()
    assert one.status_code == two.status_code == 302
    assert one["Location"] == two["Location"] == reverse("incidents:detail", args=[incident.pk])
