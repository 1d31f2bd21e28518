"""Send one delivery: claim its row, send it by its channel, record success or the retry.

Sending claims a row with SELECT ... FOR UPDATE SKIP LOCKED and keeps the lock while it sends,
so two workers never send the same row, and a worker that dies mid-send leaves the row pending
for the sweeper. Retries back off exponentially with full jitter; a delivery out of attempts is
dead, and its agency's admins are told (services.dead_letters).
"""

import datetime
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from protection.notifications import webhooks
from protection.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
)
from protection.notifications.services.dead_letters import dead_letter_notify

logger = logging.getLogger(__name__)


# A retry task may run a little before the time it was scheduled for (clocks, rounding).
_EARLY_TOLERANCE = datetime.timedelta(seconds=2)
_MIN_RETRY_SECONDS = 1.0
_ERROR_LENGTH = 2000
_random = secrets.SystemRandom()


class DeliveryFailed(Exception):
    """Sending did not succeed; `permanent` failures are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def max_attempts(channel: str) -> int:
    """Return how many tries a delivery by this channel gets before it is dead."""
    if channel == DeliveryChannel.WEBHOOK:
        return int(settings.WEBHOOK_MAX_ATTEMPTS)
    return int(settings.NOTIFICATION_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> float:
    """Return the wait before the next try: exponential backoff with full jitter.

    Full jitter (a uniform wait between zero and the exponential cap) spreads the retries of
    many deliveries that failed together, so that a partner's server coming back is not hit by
    all of them at once.
    """
    base = float(settings.NOTIFICATION_RETRY_BASE_SECONDS)
    cap = float(settings.NOTIFICATION_RETRY_MAX_SECONDS)
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return max(_MIN_RETRY_SECONDS, _random.uniform(0, ceiling))


@dataclass(frozen=True)
class SendOutcome:
    """What one send did: the status it left, and when to try again if it failed."""

    delivery_id: int
    status: str
    retry_at: datetime.datetime | None = None


def _send_in_app(delivery: Delivery) -> None:
    Notification.objects.get_or_create(
        delivery=delivery,
        defaults={
            "recipient_id": delivery.recipient_user_id,
            "event": delivery.event,
            "source_type": delivery.source_type,
            "source_id": delivery.source_id,
            "subject": delivery.subject,
            "body": delivery.body,
        },
    )


def _send_email(delivery: Delivery) -> None:
    address = getattr(delivery.recipient_user, "email", "")
    if not address:
        raise DeliveryFailed("The recipient has no email address.", permanent=True)
    try:
        send_mail(
            delivery.subject,
            delivery.body,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            fail_silently=False,
        )
    except Exception as error:
        raise DeliveryFailed(f"Email not sent: {error}") from error


def webhook_document(delivery: Delivery) -> dict[str, Any]:
    """Return the JSON document a webhook receiver gets for this delivery."""
    return {
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }


def _send_webhook(delivery: Delivery, now: datetime.datetime) -> None:
    subscription = delivery.subscription
    if subscription is None or not subscription.active:
        raise DeliveryFailed("The webhook subscription is no longer active.", permanent=True)
    body = webhooks.encode_body(webhook_document(delivery))
    headers = webhooks.signed_headers(
        secret=subscription.secret,
        timestamp=int(now.timestamp()),
        body=body,
        event=delivery.event,
        idempotency_key=str(delivery.uuid),
    )
    try:
        webhooks.post(
            url=subscription.url,
            body=body,
            headers=headers,
            timeout=float(settings.WEBHOOK_TIMEOUT_SECONDS),
        )
    except webhooks.WebhookError as error:
        raise DeliveryFailed(str(error), permanent=error.permanent) from error


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> SendOutcome | None:
    """Claim the delivery and send it once; record success, a retry, or that it is dead.

    Return None when there is nothing to do: already sent or dead, not due yet, or being sent
    by another worker right now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient_user", "subscription")
            .filter(pk=delivery_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED])
            .filter(
                Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + _EARLY_TOLERANCE)
            )
            .first()
        )
        if delivery is None:
            return None
        try:
            if delivery.channel == DeliveryChannel.IN_APP:
                _send_in_app(delivery)
            elif delivery.channel == DeliveryChannel.EMAIL:
                _send_email(delivery)
            else:
                _send_webhook(delivery, now)
        except DeliveryFailed as failure:
            return _record_failure(delivery, failure, now)
        delivery.status = DeliveryStatus.SENT
        delivery.attempts += 1
        # When it actually went out, after the send (the timeline and latency read this).
        delivery.sent_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])
        return SendOutcome(delivery_id=delivery.pk, status=delivery.status)


def _record_failure(
    delivery: Delivery, failure: DeliveryFailed, now: datetime.datetime
) -> SendOutcome:
    delivery.attempts += 1
    delivery.last_error = str(failure)[:_ERROR_LENGTH]
    retry_at = None
    if failure.permanent or delivery.attempts >= max_attempts(delivery.channel):
        delivery.status = DeliveryStatus.DEAD
        delivery.dead_at = now
        delivery.next_attempt_at = None
    else:
        delivery.status = DeliveryStatus.FAILED
        retry_at = now + datetime.timedelta(seconds=retry_delay(delivery.attempts))
        delivery.next_attempt_at = retry_at
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "dead_at"])
    logger.warning(
        "Delivery %s (%s) attempt %d failed: %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        delivery.last_error,
    )
    if delivery.status == DeliveryStatus.DEAD:
        dead_letter_notify(delivery)
    return SendOutcome(delivery_id=delivery.pk, status=delivery.status, retry_at=retry_at)
