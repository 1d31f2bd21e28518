"""A worker that connects again after an outage catches up without waiting for beat.

No beat runs here: the only thing that can escalate the overdue alert and send what was written
while Redis was away is the worker's own catch-up when it reconnects (protection/celery.py).
The sweep delay is the production one (60 s), longer than the test waits.
"""

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from incidents.models import Alert
from protection.celery import app
from protection.notifications.models import Delivery
from tests.celery_worker import point_app_at, running_worker, wait_for
from tests.incidents.conftest import make_agency, make_policy, make_site, make_user, report
from tests.redis_server import RedisServer, redis_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    previous = app.conf.broker_url
    with redis_server() as server:
        point_app_at(server.url(0))
        try:
            yield server
        finally:
            point_app_at(previous)


def test_on_reconnecting_the_worker_escalates_due_alerts_and_sends_what_was_never_queued(
    transactional_db: None, redis: RedisServer, settings: Any
) -> None:
    agency = make_agency(acronym="MPU")
    site = make_site(managing_agency=agency, code="KAK-01", name="Kakuma One")
    officer, duty, head = (make_user(agency=agency, username=n) for n in ("rep", "duty", "head"))
    make_policy(tiers=[{"users": [duty]}, {"users": [head]}], minimum_severity=4)

    with running_worker(broker_url=redis.url(0), name="catch-up"):
        redis.kill()
        (alert,) = report(officer, site=site, severity=4).alerts
        # Nobody acknowledged in time, while Redis was away: the deadline passed.
        Alert.objects.filter(pk=alert.pk).update(
            deadline_at=alert.raised_at - datetime.timedelta(seconds=1)
        )
        assert Delivery.objects.get().status == "pending"
        redis.start()

        def caught_up() -> bool:
            alert.refresh_from_db()
            statuses = list(Delivery.objects.values_list("status", flat=True))
            return alert.tier == 2 and statuses == ["sent", "sent"]

        wait_for(caught_up, timeout=45)

    told = Delivery.objects.order_by("id").values_list("recipient_user__username", flat=True)
    assert list(told) == ["duty", "head"]
