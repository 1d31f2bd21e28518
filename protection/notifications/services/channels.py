"""How one delivery goes out by its channel: the in-app inbox, e-mail, or a signed webhook.

The e-mail and webhook senders call another server, always within a total time limit
(`send_timeout`), and run with no database transaction open (services.sending claims the row
before and records the result after). A failure says how it failed (`DeliveryOutcome`): a
receiver that did not answer in time may have got the message; one that refused did not.
"""

import smtplib
import socket
from typing import Any

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.utils import timezone

from protection.notifications import webhooks
from protection.notifications.cutoff import CutOff
from protection.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryOutcome,
    Notification,
)

# Django's EMAIL_TIMEOUT is None (wait for ever) unless set; a send must end before its lease.
DEFAULT_EMAIL_TIMEOUT_SECONDS = 20.0


class DeliveryFailed(Exception):
    """Sending did not succeed, and how (`outcome`); `permanent` failures are not retried."""

    def __init__(self, message: str, *, outcome: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.permanent = permanent


def send_timeout(channel: str) -> float:
    """Return the most seconds one send by this channel may take, all included."""
    if channel == DeliveryChannel.WEBHOOK:
        return float(settings.WEBHOOK_TIMEOUT_SECONDS)
    if channel == DeliveryChannel.EMAIL:
        return float(getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_EMAIL_TIMEOUT_SECONDS)
    return 0.0


def send_in_app(delivery: Delivery) -> None:
    """Put the delivery in its recipient's inbox (once: the notification is one per delivery)."""
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


def _smtp_socket(connection: Any) -> socket.socket | None:
    """Return the socket of Django's SMTP backend once it is open (other backends have none)."""
    sock = getattr(getattr(connection, "connection", None), "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _timed_out(error: BaseException | None) -> bool:
    """Return whether a socket timeout caused the error (smtplib wraps it in its own errors)."""
    while error is not None:
        if isinstance(error, TimeoutError):
            return True
        error = error.__cause__ or error.__context__
    return False


def _email_outcome(error: Exception, cutoff: CutOff) -> str:
    if cutoff.expired or _timed_out(error):
        return DeliveryOutcome.TIMEOUT
    if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return DeliveryOutcome.REFUSED
    return DeliveryOutcome.CONNECTION


def send_email(delivery: Delivery) -> None:
    """Send the delivery to its recipient's address through the configured backend."""
    address = getattr(delivery.recipient_user, "email", "")
    if not address:
        raise DeliveryFailed(
            "The recipient has no email address.",
            outcome=DeliveryOutcome.UNDELIVERABLE,
            permanent=True,
        )
    timeout = send_timeout(DeliveryChannel.EMAIL)
    with CutOff(timeout) as cutoff:
        connection = get_connection(fail_silently=False, timeout=timeout)
        cutoff.watch_found(lambda: _smtp_socket(connection))
        try:
            send_mail(
                delivery.subject,
                delivery.body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
                fail_silently=False,
                connection=connection,
            )
        except Exception as error:
            outcome = _email_outcome(error, cutoff)
            message = (
                f"No answer within {timeout:g} s."
                if outcome == DeliveryOutcome.TIMEOUT
                else f"Email not sent: {error}"
            )
            raise DeliveryFailed(message, outcome=outcome) from error


def webhook_document(delivery: Delivery) -> dict[str, Any]:
    """Return the JSON document a webhook receiver gets for this delivery.

    `type`, `timestamp` and `data` are the Standard Webhooks payload; `id`, `event` and
    `created_at` are the first version's names of the same values, kept for older receivers.
    """
    created = delivery.created_at.isoformat()
    return {
        "type": delivery.event,
        "timestamp": created,
        "data": delivery.payload,
        "id": str(delivery.uuid),
        "event": delivery.event,
        "created_at": created,
    }


def send_webhook(delivery: Delivery) -> None:
    """POST the signed document to the subscription's URL; the id is the same on every try."""
    subscription = delivery.subscription
    if subscription is None or not subscription.active:
        raise DeliveryFailed(
            "The webhook subscription is no longer active.",
            outcome=DeliveryOutcome.UNDELIVERABLE,
            permanent=True,
        )
    body = webhooks.encode_body(webhook_document(delivery))
    try:
        headers = webhooks.signed_headers(
            secret=subscription.secret,
            message_id=str(delivery.uuid),
            # The time of this attempt: a receiver refuses one more than five minutes away.
            timestamp=int(timezone.now().timestamp()),
            body=body,
            event=delivery.event,
        )
    except ValueError as error:
        raise DeliveryFailed(
            f"The subscription's signing secret is unusable: {error}",
            outcome=DeliveryOutcome.UNDELIVERABLE,
            permanent=True,
        ) from error
    try:
        webhooks.post(
            url=subscription.url,
            body=body,
            headers=headers,
            timeout=send_timeout(DeliveryChannel.WEBHOOK),
        )
    except webhooks.WebhookError as error:
        raise DeliveryFailed(
            str(error), outcome=error.outcome, permanent=error.permanent
        ) from error
