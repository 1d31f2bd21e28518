"""Webhook deliveries: signed, retried at their back-off with the same webhook-id, then dead."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from protection.notifications import tasks, webhooks
from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus
from protection.notifications.services import dead_letters, sending
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from tests.notifications.receiver import verify


def _queue(source: Any, recipients: list[Recipient], occasion: str = "test") -> list[Delivery]:
    return deliveries_queue(
        source=source,
        occasion=occasion,
        event="test.event",
        recipients=recipients,
        compose=lambda r: Content(subject="Something happened", body="Please look."),
        payload={"answer": 42},
    )


def test_a_signed_webhook_reaches_the_receiver_who_can_verify_it(
    site: Any, partner_admin: Any, subscribe: Any, receiver: Any
) -> None:
    created = subscribe(partner_admin, receiver.url)
    (delivery,) = _queue(
        site, [Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)]
    )

    outcome = sending.delivery_send(delivery_id=delivery.pk)

    assert outcome is not None and outcome.status == DeliveryStatus.SENT
    (request,) = receiver.requests
    assert created.secret.startswith("whsec_")
    assert verify(secret=created.secret, headers=request.headers, body=request.body)
    assert not verify(secret=webhooks.new_secret(), headers=request.headers, body=request.body)
    assert request.header("webhook-id") == str(delivery.uuid)
    assert request.header("X-Protection-Event") == "test.event"
    assert request.document == {
        "type": "test.event",
        "timestamp": delivery.created_at.isoformat(),
        "data": {"answer": 42},
        "id": str(delivery.uuid),
        "event": "test.event",
        "created_at": delivery.created_at.isoformat(),
    }


def test_a_failed_webhook_waits_for_its_backoff_then_succeeds(
    site: Any, partner_admin: Any, subscribe: Any, receiver: Any, settings: Any
) -> None:
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 30
    created = subscribe(partner_admin, receiver.url)
    (delivery,) = _queue(
        site, [Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)]
    )
    receiver.answers.extend([500])
    now = timezone.now()

    failed = sending.delivery_send(delivery_id=delivery.pk, now=now)

    assert failed is not None and failed.status == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.last_error == "HTTP 500: receiver says no"
    assert delivery.last_outcome == "refused"
    assert failed.retry_at == delivery.next_attempt_at
    assert delivery.next_attempt_at is not None
    assert now + datetime.timedelta(seconds=1) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= now + datetime.timedelta(seconds=30)
    # Not due yet (earlier than the retry time less the claim's early tolerance): nothing
    # happens. A jittered wait can be as short as one second, inside that tolerance of `now`.
    too_early = delivery.next_attempt_at - sending._EARLY_TOLERANCE - datetime.timedelta(seconds=1)
    assert sending.delivery_send(delivery_id=delivery.pk, now=too_early) is None

    succeeded = sending.delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    assert succeeded is not None and succeeded.status == DeliveryStatus.SENT
    assert [r.answered for r in receiver.requests] == [500, 200]
    # Both tries carry the same webhook-id: the receiver can drop a repeat.
    assert {r.header("webhook-id") for r in receiver.requests} == {str(delivery.uuid)}


def test_a_webhook_is_dead_after_the_last_try_and_the_partner_admins_are_told(
    site: Any, partner_admin: Any, subscribe: Any, receiver: Any, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    created = subscribe(partner_admin, receiver.url)
    (delivery,) = _queue(
        site, [Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)]
    )
    receiver.answers.extend([503, 503])

    first = sending.delivery_send(delivery_id=delivery.pk)
    assert first is not None and first.retry_at is not None
    second = sending.delivery_send(delivery_id=delivery.pk, now=first.retry_at)

    assert second is not None and second.status == DeliveryStatus.DEAD
    assert second.retry_at is None
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, None)
    assert delivery.last_error.startswith("HTTP 503")
    notice = Delivery.objects.get(event=dead_letters.DEAD_EVENT)
    assert notice.recipient_user == partner_admin
    assert receiver.url in notice.body


def test_the_task_schedules_the_retry_at_the_backoff_time(
    site: Any,
    partner_admin: Any,
    subscribe: Any,
    receiver: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scheduled: list[tuple[Any, float]] = []
    monkeypatch.setattr(
        tasks.delivery_send_task,
        "apply_async",
        lambda args, countdown: scheduled.append((args, countdown)),
    )
    created = subscribe(partner_admin, receiver.url)
    (delivery,) = _queue(
        site, [Recipient(channel=DeliveryChannel.WEBHOOK, subscription=created.subscription)]
    )
    receiver.answers.extend([500])

    assert tasks.delivery_send_task(delivery.pk) == DeliveryStatus.FAILED

    ((args, countdown),) = scheduled
    assert args == (delivery.pk,)
    assert 0 < countdown <= 30
