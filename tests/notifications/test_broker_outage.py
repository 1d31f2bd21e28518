"""Queueing deliveries never makes the caller wait on a broker that is frozen or gone.

Each test publishes to a redis-server of its own (tests/redis_server.py) with the project's
broker settings, freezes or kills it, and reads what actually reached the queue.
"""

import datetime
import json
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
import redis
from django.utils import timezone

from camps.models import Site
from protection.accounts.models import User
from protection.degradation import degraded_counts
from protection.notifications import queue
from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus
from protection.notifications.services import sweeper
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    enqueue_deliveries,
)
from tests import factories
from tests.celery_worker import point_app_at
from tests.redis_server import RedisServer, redis_server


@pytest.fixture
def broker() -> Iterator[RedisServer]:
    """Publish to a redis-server of the test's own; point back at the usual broker after."""
    from protection.celery import app

    previous = app.conf.broker_url
    with redis_server() as server:
        point_app_at(server.url())
        try:
            yield server
        finally:
            point_app_at(previous)


def queued_tasks(server: RedisServer) -> list[tuple[str, str, str]]:
    """Return the tasks waiting in the broker, in queue order: name, args, kwargs."""
    client = redis.Redis.from_url(server.url())
    try:
        messages = [json.loads(raw) for raw in reversed(client.lrange("celery", 0, -1))]
    finally:
        client.close()
    return [
        (m["headers"]["task"], m["headers"]["argsrepr"], m["headers"]["kwargsrepr"])
        for m in messages
    ]


def queued_deliveries(server: RedisServer) -> list[int]:
    """Return the delivery ids of the send tasks waiting in the broker, in queue order."""
    return [
        int(args.strip("(),"))
        for task, args, _kwargs in queued_tasks(server)
        if task == queue.DELIVERY_SEND
    ]


def forget_queue(server: RedisServer) -> None:
    client = redis.Redis.from_url(server.url())
    try:
        client.flushdb()
    finally:
        client.close()


def pending_deliveries(count: int, *, age: datetime.timedelta | None = None) -> list[int]:
    """Write `count` in-app deliveries to different officers; return their ids."""
    site = cast(Site, factories.SiteFactory())
    officers = [
        cast(User, factories.UserFactory(agency=site.managing_agency)) for _ in range(count)
    ]
    created = deliveries_queue(
        source=site,
        occasion="outage",
        event="test.event",
        recipients=[Recipient(channel=DeliveryChannel.IN_APP, user=u) for u in officers],
        compose=lambda recipient: Content(subject="Something happened", body="Look."),
        payload={},
    )
    ids = [delivery.pk for delivery in created]
    if age is not None:
        Delivery.objects.filter(pk__in=ids).update(created_at=timezone.now() - age)
    return ids


@pytest.mark.django_db
def test_deliveries_are_queued_over_one_connection_in_order(broker: RedisServer) -> None:
    ids = pending_deliveries(3)

    assert enqueue_deliveries(ids) == 3

    assert queued_tasks(broker) == [(queue.DELIVERY_SEND, f"({pk},)", "{}") for pk in ids]
    assert degraded_counts() == {}


@pytest.mark.django_db
def test_a_frozen_broker_costs_one_caller_its_timeout_and_the_next_callers_nothing(
    broker: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = pending_deliveries(2), pending_deliveries(2)
    broker.freeze()
    try:
        started = time.monotonic()
        assert enqueue_deliveries(first) == 0
        waited = time.monotonic() - started
        started = time.monotonic()
        assert enqueue_deliveries(second) == 0
        paused = time.monotonic() - started
    finally:
        broker.thaw()

    assert 0.5 < waited < 1.6
    assert paused < 0.05
    statuses = Delivery.objects.filter(pk__in=first + second).values_list("status", flat=True)
    assert set(statuses) == {DeliveryStatus.PENDING}
    assert degraded_counts() == {"broker.error": 1, "broker.skipped": 1}
    assert "Broker unavailable; 2 deliveries left for the sweeper." in caplog.messages


@pytest.mark.django_db
def test_after_the_pause_a_broker_that_came_back_is_asked_again(
    broker: RedisServer, settings: Any
) -> None:
    settings.BROKER_PAUSE_AFTER_FAILURE_SECONDS = 0.3
    ids = pending_deliveries(2)
    broker.kill()
    started = time.monotonic()
    assert enqueue_deliveries(ids) == 0
    assert time.monotonic() - started < 0.5  # a refused connection fails at once
    broker.start()

    assert enqueue_deliveries(ids) == 0  # still paused
    time.sleep(0.4)
    assert enqueue_deliveries(ids) == 2

    # The two, then a sweep of everything pending: what was written meanwhile is in no queue.
    assert queued_tasks(broker) == [
        (queue.DELIVERY_SEND, f"({ids[0]},)", "{}"),
        (queue.DELIVERY_SEND, f"({ids[1]},)", "{}"),
        (queue.DELIVERIES_SWEEP, "()", "{'after_seconds': 0}"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_claims_and_queues_a_backlog_batch_by_batch(
    broker: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweeper, "SWEEP_BATCH", 2)
    stuck = pending_deliveries(5, age=datetime.timedelta(minutes=5))
    recent = pending_deliveries(1)
    forget_queue(broker)  # what a Redis restart without persistence does

    swept = sweeper.deliveries_sweep()

    assert swept == stuck
    assert queued_deliveries(broker) == stuck
    assert Delivery.objects.get(pk=recent[0]).next_attempt_at is None
    # Claimed rows are left alone by the next sweep: nothing is queued twice.
    assert sweeper.deliveries_sweep() == []
    assert len(queued_deliveries(broker)) == 5


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_stops_at_the_first_batch_the_broker_refuses(
    broker: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sweeper, "SWEEP_BATCH", 2)
    stuck = pending_deliveries(5, age=datetime.timedelta(minutes=5))
    broker.kill()

    swept = sweeper.deliveries_sweep()

    # One batch was claimed and could not be queued; the other rows were not even claimed.
    assert swept == stuck[:2]
    untouched = Delivery.objects.filter(pk__in=stuck[2:], next_attempt_at__isnull=True)
    assert untouched.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_sweep_after_the_broker_came_back_takes_what_was_just_written(
    broker: RedisServer,
) -> None:
    broker.kill()
    written = pending_deliveries(2)  # never queued: the broker was away (and is now paused)
    broker.start()

    assert sweeper.deliveries_sweep() == []  # the usual sweep waits for them to be late
    assert sweeper.deliveries_sweep(after_seconds=0) == written
    assert queued_deliveries(broker) == written
