"""Reporting through a Redis outage: nothing lost, nothing sent twice, nobody kept waiting.

Each test starts a redis-server of its own on a free port (never the shared one on 6379) and
points this process (the API), a real worker and, where the catch-up matters, a real beat at it;
then kills or freezes it in the middle of a burst of reports made through the API.
"""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.throttling import UserRateThrottle

from incidents.models import Incident
from protection.celery import app
from protection.degradation import degraded_counts
from protection.notifications.models import Notification
from tests.celery_worker import point_app_at
from tests.integration.pipeline import (
    KeptWorker,
    Mission,
    every_delivery_sent,
    lost_and_duplicated,
    mission,
    running_beat,
)
from tests.notifications.receiver import WebhookReceiver
from tests.redis_server import RedisServer, redis_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

# In-app and webhook: two deliveries per report.
DELIVERIES_PER_REPORT = 2


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own, the broker of this process while the test runs."""
    previous = app.conf.broker_url
    with redis_server() as server:
        point_app_at(server.url(0))
        try:
            yield server
        finally:
            point_app_at(previous)


@pytest.fixture
def world(transactional_db: None, settings: Any) -> Iterator[Mission]:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with WebhookReceiver() as receiver:
        yield mission(receiver)


def fail_open_cache(settings: Any, server: RedisServer) -> None:
    """Give this process the production cache, on `server`'s database 1."""
    settings.CACHES = {
        "default": {
            "BACKEND": "protection.cache.FailOpenRedisCache",
            "LOCATION": server.url(1),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }


def test_killing_redis_during_a_burst_of_reports_loses_nothing_and_sends_nothing_twice(
    redis: RedisServer, world: Mission
) -> None:
    reports = 150
    with KeptWorker(redis.url(0)) as worker, running_beat(redis.url(0)):
        for number in range(reports):
            if number == 40:
                redis.kill()  # queued and unacknowledged tasks die with it (no persistence)
            if number == 110:
                redis.start()
            world.report()
            time.sleep(0.03)

        worker.wait_for(lambda: every_delivery_sent(reports * DELIVERIES_PER_REPORT), timeout=60)

    print(
        f"\n{reports} reports, Redis killed for reports 40-109: {world.accepted()} answered 201, "
        f"slowest {world.slowest():.3f} s, p95 {world.p95():.3f} s; worker restarts: "
        f"{worker.restarts}; this process: {degraded_counts()}"
    )
    assert world.accepted() == reports
    assert Incident.objects.count() == reports
    assert world.slowest() < 2
    assert lost_and_duplicated(world) == (0, 0)
    assert Notification.objects.count() == reports
    assert len(world.receiver.successful()) == reports


def test_with_redis_frozen_every_report_answers_201_within_two_seconds(
    redis: RedisServer, world: Mission, settings: Any
) -> None:
    # The cache on the broker's Redis, as docker-compose had it: both freeze together.
    fail_open_cache(settings, redis)
    reports = 30
    with KeptWorker(redis.url(0)) as worker, running_beat(redis.url(0)):
        world.report()
        redis.freeze()
        try:
            for _ in range(reports):
                world.report()
        finally:
            redis.thaw()

        worker.wait_for(
            lambda: every_delivery_sent((reports + 1) * DELIVERIES_PER_REPORT), timeout=60
        )

    frozen = world.answers[1:]
    print(
        f"\n{reports} reports with Redis frozen: slowest {max(s for _, s in frozen):.3f} s, "
        f"p95 {world.p95():.3f} s; this process: {degraded_counts()}"
    )
    assert [status for status, _seconds in frozen] == [201] * reports
    assert all(seconds < 2 for _status, seconds in frozen)
    assert degraded_counts()["broker.error"] >= 1
    assert degraded_counts()["cache.error"] >= 1
    assert lost_and_duplicated(world) == (0, 0)


def test_with_the_cache_down_reports_are_accepted_and_delivered(
    redis: RedisServer, world: Mission, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})
    with redis_server() as cache_server:
        fail_open_cache(settings, cache_server)
        # The throttle works while its cache does: the fourth report in a minute is refused.
        assert [world.report()[0] for _ in range(4)] == [201, 201, 201, 429]

        cache_server.kill()
        answers = [world.report() for _ in range(10)]

    assert all(status == 201 for status, _seconds in answers)
    assert all(seconds < 2 for _status, seconds in answers)
    assert Incident.objects.count() == 13
    assert degraded_counts()["cache.error"] == 1
    # The broker was up all along: the deliveries wait in its queue for a worker.
    with KeptWorker(redis.url(0)) as worker:
        worker.wait_for(lambda: every_delivery_sent(13 * DELIVERIES_PER_REPORT), timeout=60)
