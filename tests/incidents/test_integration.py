"""The escalation pipeline end to end: a real Celery worker, the real Redis, a local receiver.

The worker is a subprocess on Redis database 13 and the pytest test database; emails land in
files, webhooks reach an HTTP server on 127.0.0.1. Time is moved forward by putting deadlines
and creation times in the past, then running the beat tasks through the broker.
"""

import datetime
import socket
from pathlib import Path
from typing import Any

import pytest
import redis
from django.utils import timezone

from incidents import tasks as incident_tasks
from incidents.alerts.services import alert_acknowledge
from incidents.models import Alert
from protection.notifications import tasks as notification_tasks
from protection.notifications.models import Delivery, Notification
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests.incidents.conftest import (
    INTEGRATION_BROKER_URL,
    make_agency,
    make_policy,
    make_site,
    make_user,
    point_app_at,
    report,
    wait_for,
)
from tests.notifications.receiver import verify

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture
def mission(transactional_db: None, settings: Any, receiver: Any) -> dict[str, Any]:
    """A camp, its officers, a partner subscribed by webhook, and a two-tier policy."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    agency = make_agency(acronym="MPU")
    site = make_site(managing_agency=agency, code="KAK-01", name="Kakuma One")
    partner = make_agency(acronym="CRF")
    site.operating_agencies.add(partner)
    people = {
        "officer": make_user(agency=agency, username="reporter"),
        "duty": make_user(agency=agency, username="duty", email="duty@mpu.example"),
        "head": make_user(
            agency=agency, role="supervisor", username="head", email="head@mpu.example"
        ),
        "partner_api": make_user(agency=partner, role="partner_api", username="crf"),
    }
    subscription = webhook_subscription_create(
        actor=people["partner_api"], url=receiver.url, events=["alert.raised"]
    )
    policy = make_policy(
        tiers=[
            {"users": [people["duty"]], "agencies": [partner], "email": True, "webhook": True},
            {"users": [people["head"]], "email": True},
        ],
        minimum_severity=4,
    )
    return {
        **people,
        "site": site,
        "secret": subscription.secret,
        "policy": policy,
    }


def _alert_deliveries(alert: Alert) -> Any:
    return Delivery.objects.filter(source_type="incidents.alert", source_id=str(alert.pk))


def _all_sent(alert: Alert, count: int) -> bool:
    statuses = list(_alert_deliveries(alert).values_list("status", flat=True))
    return len(statuses) == count and set(statuses) == {"sent"}


def _mails(mail_dir: Path) -> list[str]:
    return [path.read_text() for path in sorted(mail_dir.iterdir())]


def _broker_idle() -> bool:
    """True when Redis 13 holds no queued and no unacknowledged task."""
    client = redis.Redis.from_url(INTEGRATION_BROKER_URL)
    try:
        return client.llen("celery") == 0 and client.hlen("unacked") == 0
    finally:
        client.close()


def test_a_critical_incident_reaches_the_inbox_the_mailbox_and_the_partner(
    alert_worker: Any, mission: dict[str, Any], receiver: Any, mail_dir: Path
) -> None:
    (alert,) = report(mission["officer"], site=mission["site"], severity=4).alerts

    wait_for(lambda: _all_sent(alert, 3))

    notification = Notification.objects.get(recipient=mission["duty"])
    assert notification.read_at is None
    assert "Abduction" in notification.subject
    (message,) = _mails(mail_dir)
    assert "To: duty@mpu.example" in message
    assert "Kakuma One" in message
    (request,) = receiver.requests
    assert verify(secret=mission["secret"], headers=request.headers, body=request.body)
    assert request.document["event"] == "alert.raised"
    assert request.document["data"]["alert"]["id"] == alert.pk
    assert request.document["data"]["incident"]["anonymised"] is True


def test_a_failed_webhook_is_retried_and_succeeds(
    alert_worker: Any, mission: dict[str, Any], receiver: Any
) -> None:
    receiver.answers.extend([500])

    (alert,) = report(mission["officer"], site=mission["site"], severity=4).alerts

    wait_for(lambda: _all_sent(alert, 3))
    webhook = _alert_deliveries(alert).get(channel="webhook")
    assert webhook.attempts == 2
    assert webhook.last_error.startswith("HTTP 500")
    assert [r.answered for r in receiver.requests] == [500, 200]
    assert len({r.header("webhook-id") for r in receiver.requests}) == 1
    assert verify(
        secret=mission["secret"],
        headers=receiver.requests[1].headers,
        body=receiver.requests[1].body,
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_with_the_broker_down_at_report_time_the_sweeper_delivers_once_it_is_back(
    alert_worker: Any, mission: dict[str, Any], receiver: Any, mail_dir: Path
) -> None:
    point_app_at(f"redis://127.0.0.1:{_closed_port()}/13")
    try:
        # The officer's report succeeds: the incident and its outbox are in the database.
        (alert,) = report(mission["officer"], site=mission["site"], severity=4).alerts
    finally:
        point_app_at(INTEGRATION_BROKER_URL)
    assert set(_alert_deliveries(alert).values_list("status", flat=True)) == {"pending"}
    assert _broker_idle()

    # A minute later the beat sweeper runs.
    _alert_deliveries(alert).update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    notification_tasks.deliveries_sweep.delay()

    wait_for(lambda: _all_sent(alert, 3))
    assert Notification.objects.filter(recipient=mission["duty"]).count() == 1
    assert len(_mails(mail_dir)) == 1
    assert len(receiver.successful()) == 1


def test_a_task_run_twice_delivers_once(
    alert_worker: Any, mission: dict[str, Any], receiver: Any, mail_dir: Path
) -> None:
    (alert,) = report(mission["officer"], site=mission["site"], severity=4).alerts
    ids = list(_alert_deliveries(alert).values_list("pk", flat=True))
    # Celery delivers at least once: the same task arriving again, twice over.
    for delivery_id in ids * 2:
        notification_tasks.delivery_send_task.delay(delivery_id)

    wait_for(lambda: _all_sent(alert, 3))
    wait_for(_broker_idle)

    assert Notification.objects.filter(recipient=mission["duty"]).count() == 1
    assert len(_mails(mail_dir)) == 1
    assert len(receiver.requests) == 1
    assert all(d.attempts == 1 for d in _alert_deliveries(alert))


def test_an_unacknowledged_alert_climbs_to_tier_two_and_an_acknowledged_one_does_not(
    alert_worker: Any, mission: dict[str, Any], mail_dir: Path
) -> None:
    (ignored,) = report(mission["officer"], site=mission["site"], severity=4).alerts
    (answered,) = report(mission["officer"], site=mission["site"], severity=4).alerts
    wait_for(lambda: _all_sent(ignored, 3) and _all_sent(answered, 3))
    alert_acknowledge(actor=mission["duty"], alert=answered)

    # Thirty minutes pass: both deadlines are behind us, and the beat task runs.
    past = timezone.now() - datetime.timedelta(minutes=1)
    Alert.objects.filter(pk__in=[ignored.pk, answered.pk]).update(deadline_at=past)
    incident_tasks.alerts_escalate_due.delay()

    wait_for(lambda: _all_sent(ignored, 5))
    wait_for(_broker_idle)
    ignored.refresh_from_db()
    answered.refresh_from_db()
    assert (ignored.tier, ignored.status) == (2, "open")
    assert (answered.tier, answered.status) == (1, "acknowledged")
    head_notices = Notification.objects.filter(recipient=mission["head"])
    assert [n.source_id for n in head_notices] == [str(ignored.pk)]
    assert sum("To: head@mpu.example" in m for m in _mails(mail_dir)) == 1
    assert _alert_deliveries(answered).count() == 3
