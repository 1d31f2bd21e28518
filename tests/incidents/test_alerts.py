"""Acknowledging and escalating alerts: tiers in turn until somebody acknowledges."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from incidents import tasks
from incidents.alerts.selectors import alert_get, alert_list
from incidents.alerts.services import alert_acknowledge
from incidents.escalation.selectors import alerts_due
from incidents.escalation.services import alert_escalate
from incidents.models import Alert
from incidents.reporting.timeline import incident_timeline
from protection.models import AuditEvent
from protection.notifications.models import Delivery, Notification
from protection.notifications.selectors import notification_unread_count
from protection.notifications.services.sending import delivery_send
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests import factories
from tests.incidents.conftest import make_policy, make_user, report


def _deliver_all() -> None:
    for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True):
        delivery_send(delivery_id=pk)


def _recipients(alert: Alert) -> list[tuple[str, str]]:
    return [
        (getattr(d.recipient_user, "username", ""), d.channel)
        for d in Delivery.objects.filter(source_type="incidents.alert", source_id=str(alert.pk))
        .select_related("recipient_user")
        .order_by("id")
    ]


@pytest.fixture
def alert(officer: Any, site: Any, two_tier_policy: Any) -> Alert:
    (raised,) = report(officer, site=site, severity=4).alerts
    return raised


def _past_deadline(alert: Alert) -> datetime.datetime:
    """Move time forward: the deadline passed a minute ago."""
    Alert.objects.filter(pk=alert.pk).update(
        deadline_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    return timezone.now()


def test_a_tier_one_recipient_acknowledges_and_escalation_stops(
    alert: Alert, duty_officer: Any
) -> None:
    _deliver_all()
    assert notification_unread_count(user=duty_officer) == 1

    acknowledged = alert_acknowledge(actor=duty_officer, alert=alert)

    assert (acknowledged.status, acknowledged.acknowledged_by) == ("acknowledged", duty_officer)
    assert acknowledged.deadline_at is None
    assert notification_unread_count(user=duty_officer) == 0
    _past_deadline(alert)
    assert alert_escalate(alert_id=alert.pk) is None
    assert alerts_due(now=timezone.now()) == []
    assert _recipients(alert) == [("duty", "in_app"), ("duty", "email")]


def test_acknowledging_twice_changes_nothing(alert: Alert, duty_officer: Any) -> None:
    first = alert_acknowledge(actor=duty_officer, alert=alert)
    second = alert_acknowledge(actor=duty_officer, alert=alert)
    assert second.acknowledged_at == first.acknowledged_at
    assert AuditEvent.objects.filter(action="alert.acknowledge").count() == 1


def test_only_a_recipient_may_acknowledge(
    alert: Alert, head_of_office: Any, officer: Any, other_officer: Any
) -> None:
    # The reporter and the tier-2 recipient (not told yet) did not receive it.
    for outsider in (officer, head_of_office, other_officer):
        with pytest.raises(PermissionDenied):
            alert_acknowledge(actor=outsider, alert=alert)
        assert not alert_list(user=outsider).exists()
    assert Alert.objects.get(pk=alert.pk).status == "open"


def test_an_unacknowledged_alert_goes_to_tier_two_who_may_then_acknowledge(
    alert: Alert, duty_officer: Any, head_of_office: Any
) -> None:
    now = _past_deadline(alert)

    outcome = alert_escalate(alert_id=alert.pk, now=now)

    assert outcome is not None
    assert (outcome.status, outcome.tier, outcome.deliveries) == ("open", 2, 2)
    alert.refresh_from_db()
    assert alert.tier == 2
    assert alert.deadline_at == now + datetime.timedelta(minutes=30)
    assert _recipients(alert) == [
        ("duty", "in_app"),
        ("duty", "email"),
        ("head_of_office", "in_app"),
        ("head_of_office", "email"),
    ]
    escalated = Delivery.objects.filter(recipient_user=head_of_office, channel="email").get()
    assert escalated.event == "alert.escalated"
    assert "escalated to you" in escalated.body
    # Running again before the new deadline does nothing.
    assert alert_escalate(alert_id=alert.pk, now=now) is None
    assert alert_get(user=head_of_office, pk=alert.pk) == alert
    assert alert_acknowledge(actor=head_of_office, alert=alert).status == "acknowledged"


def test_after_the_last_tier_the_alert_is_exhausted_and_admins_are_told(
    alert: Alert, agency_admin_user: Any
) -> None:
    alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))

    outcome = alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))

    assert outcome is not None and outcome.status == "exhausted"
    alert.refresh_from_db()
    assert (alert.status, alert.deadline_at) == ("exhausted", None)
    assert alert.exhausted_at is not None
    notice = Delivery.objects.get(event="alert.exhausted")
    assert (notice.recipient_user, notice.channel) == (agency_admin_user, "in_app")
    assert notice.subject.startswith("Nobody acknowledged")
    assert alert_escalate(alert_id=alert.pk, now=timezone.now()) is None
    # Someone may still take it on afterwards.
    duty = Delivery.objects.filter(recipient_user__username="duty").first()
    assert duty is not None and duty.recipient_user is not None
    assert alert_acknowledge(actor=duty.recipient_user, alert=alert).status == "acknowledged"


def test_someone_in_both_tiers_is_told_again_when_it_is_escalated(officer: Any, site: Any) -> None:
    both = make_user(agency=officer.agency, role="supervisor", username="both")
    make_policy(tiers=[{"users": [both]}, {"users": [both]}, {"users": [both]}])
    (alert,) = report(officer, site=site).alerts
    _deliver_all()

    outcome = alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))
    _deliver_all()

    assert outcome is not None and (outcome.tier, outcome.deliveries) == (2, 1)
    raised, escalated = Delivery.objects.filter(recipient_user=both).order_by("id")
    assert (raised.event, escalated.event) == ("alert.raised", "alert.escalated")
    assert raised.key != escalated.key and raised.uuid != escalated.uuid
    assert "escalated to you" in escalated.body
    # Both reached the inbox: the escalation is a notice of its own, unread.
    assert notification_unread_count(user=both) == 2
    # Escalating again at the same tier writes nothing; the next tier tells them once more.
    assert alert_escalate(alert_id=alert.pk, now=timezone.now()) is None
    third = alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))
    assert third is not None and (third.tier, third.deliveries) == (3, 1)
    assert _recipients(alert) == [("both", "in_app")] * 3


def test_a_tier_may_give_more_or_less_time(officer: Any, site: Any, duty_officer: Any) -> None:
    make_policy(tiers=[{"users": [duty_officer], "deadline": 5}, {"users": [officer]}])
    (alert,) = report(officer, site=site).alerts
    assert alert.deadline_at == alert.raised_at + datetime.timedelta(minutes=5)


def test_the_beat_task_escalates_every_due_alert_once(
    officer: Any, site: Any, two_tier_policy: Any
) -> None:
    due = [report(officer, site=site, severity=4).alerts[0] for _ in range(2)]
    waiting = report(officer, site=site, severity=4).alerts[0]
    for alert in due:
        _past_deadline(alert)

    assert tasks.alerts_escalate_due() == 2
    assert tasks.alerts_escalate_due() == 0

    assert [Alert.objects.get(pk=a.pk).tier for a in (*due, waiting)] == [2, 2, 1]
    assert AuditEvent.objects.filter(action="alert.escalate").count() == 2
    event = AuditEvent.objects.filter(action="alert.escalate").first()
    assert event is not None and event.channel == "task"


def test_a_partner_told_by_webhook_acknowledges_through_its_api_account(
    officer: Any, site: Any, settings: Any
) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    partner = factories.AgencyFactory(acronym="PRT")
    partner_api = make_user(agency=partner, role="partner_api")
    colleague = make_user(agency=partner, role="case_worker")
    webhook_subscription_create(
        actor=partner_api, url="http://127.0.0.1:9/hook", events=["alert.raised"]
    )
    make_policy(tiers=[{"agencies": [partner], "in_app": False, "webhook": True}])
    (alert,) = report(officer, site=site).alerts

    assert Delivery.objects.get(source_type="incidents.alert").channel == "webhook"
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=colleague, alert=alert)  # role without webhooks
    assert alert_acknowledge(actor=partner_api, alert=alert).acknowledged_by == partner_api


def test_the_timeline_tells_the_story_of_an_incident(
    alert: Alert, duty_officer: Any, head_of_office: Any
) -> None:
    _deliver_all()
    alert_escalate(alert_id=alert.pk, now=_past_deadline(alert))
    _deliver_all()
    alert_acknowledge(actor=head_of_office, alert=alert)
    assert alert.incident is not None

    kinds = [entry.kind for entry in incident_timeline(incident=alert.incident)]

    assert kinds[0] == "incident.report"
    assert kinds.count("alert.raise") == 1
    assert kinds.count("delivery.queued") == 4
    assert kinds.count("delivery.sent") == 4
    assert kinds.index("alert.escalate") < kinds.index("alert.acknowledge")
    assert kinds[-1] == "alert.acknowledge"
    assert Notification.objects.filter(recipient=head_of_office, read_at__isnull=False).exists()
