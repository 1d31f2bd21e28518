"""Idempotency keys hold 24 hours, keep neither the key nor the request in clear, and are
purged by a periodic task."""

import datetime
import json
import uuid
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from incidents.models import Incident
from protection.celery import app
from protection.idempotency import key_digest, request_fingerprint
from protection.models import IdempotencyKey
from protection.tasks import IDEMPOTENCY_KEYS_PURGE, idempotency_keys_purge_task
from tests.api.conftest import SchemaCheckedClient
from tests.api.test_permissions_alerts import _bodies

pytestmark = pytest.mark.django_db


def _client(user: Any) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    client.force_authenticate(user)  # A token would expire over the day this test spans.
    return client


def _report(client: SchemaCheckedClient, body: dict[str, Any], key: str) -> Any:
    return client.post(
        "/api/v1/incidents/",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_key_holds_24_hours_then_starts_afresh(officer, site) -> None:
    client, body, key = _client(officer), _bodies(site, officer)[("POST", "incidents/")], "k"
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = _report(client, body, key)
        clock.shift(datetime.timedelta(hours=23, minutes=59))
        late_retry = _report(client, body, key)
        clock.shift(datetime.timedelta(minutes=1))
        next_day = _report(client, body, key)
        again = _report(client, body, key)

    assert late_retry.headers["Idempotent-Replayed"] == "true"
    assert late_retry.json()["id"] == first.json()["id"]
    assert next_day.status_code == 201 and "Idempotent-Replayed" not in next_day.headers
    assert next_day.json()["id"] != first.json()["id"]
    assert again.json()["id"] == next_day.json()["id"]  # The key now names the new one.
    assert Incident.objects.count() == 2
    assert IdempotencyKey.objects.count() == 1


def test_the_periodic_task_purges_the_keys_past_their_day(officer, site) -> None:
    client, body = _client(officer), _bodies(site, officer)[("POST", "incidents/")]
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _report(client, body, "old")
        clock.shift(datetime.timedelta(hours=2))
        _report(client, {**body, "severity": 3}, "recent")
        clock.shift(datetime.timedelta(hours=22, seconds=1))

        purged = idempotency_keys_purge_task()
        twice = idempotency_keys_purge_task()

    assert (purged, twice) == (1, 0)
    assert list(IdempotencyKey.objects.values_list("key_digest", flat=True)) == [
        key_digest("recent")
    ]


def test_the_purge_is_scheduled_and_keys_live_at_least_a_day() -> None:
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == IDEMPOTENCY_KEYS_PURGE
    )
    assert IDEMPOTENCY_KEYS_PURGE in app.tasks
    assert float(entry["schedule"]) <= 3600  # type: ignore[arg-type]
    assert settings.IDEMPOTENCY_KEY_HOURS >= 24


def test_a_key_keeps_neither_the_key_nor_the_body(officer, site) -> None:
    body = _bodies(site, officer)[("POST", "incidents/")]
    key = str(uuid.uuid4())

    _report(_client(officer), body, key)

    row = IdempotencyKey.objects.values().get()
    stored = json.dumps(row, default=str)
    assert key not in stored and body["description"] not in stored
    assert row["key_digest"] == key_digest(key)
    assert row["fingerprint"] == request_fingerprint(
        method="POST", path="/api/v1/incidents/", body=body
    )
    assert set(row) == {
        "id",
        "user_id",
        "key_digest",
        "fingerprint",
        "status_code",
        "object_id",
        "location",
        "created_at",
    }


def test_the_fingerprint_is_keyed_and_ignores_key_order(settings) -> None:
    one = request_fingerprint(method="post", path="/x/", body={"a": 1, "b": [1, 2]})
    same = request_fingerprint(method="POST", path="/x/", body={"b": [1, 2], "a": 1})
    other_path = request_fingerprint(method="POST", path="/y/", body={"a": 1, "b": [1, 2]})
    settings.SECRET_KEY = "another-secret"
    other_secret = request_fingerprint(method="POST", path="/x/", body={"a": 1, "b": [1, 2]})

    assert one == same
    assert len({one, other_path, other_secret}) == 3
