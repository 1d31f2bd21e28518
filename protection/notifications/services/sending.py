"""Send one delivery without holding a lock across the network: claim, commit, send, record.

1. Claim, in one short transaction: lock the row with SELECT ... FOR UPDATE SKIP LOCKED if it is
   due (pending, failed and its retry time come, or "sending" under a lease that ran out), mark
   it "sending" with a lease (`claimed_until`) and a claim token, and count the attempt. Commit.
2. Send by its channel (services.channels) with no transaction open, within a total time limit
   shorter than the lease, so that no other sender claims the row while this one sends.
3. Record, in another short transaction and only while the row still carries this claim's
   token: sent; failed, with its retry at an exponential back-off with full jitter; or dead.

The attempt is counted before the call, so a delivery whose sender dies every time still ends
"dead" after the maximum: the sweeper has it claimed again once its lease ran out, and that claim
records the interruption (the receiver may have got it). A dead delivery's agency admins are
told (services.dead_letters). In-app deliveries call nobody: claimed, written and marked sent in
one transaction.
"""

import datetime
import logging
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from protection.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryOutcome,
    DeliveryStatus,
)
from protection.notifications.services.channels import (
    DeliveryFailed,
    send_email,
    send_in_app,
    send_timeout,
    send_webhook,
)
from protection.notifications.services.dead_letters import dead_letter_notify

logger = logging.getLogger(__name__)


# A retry task may run a little before the time it was scheduled for (clocks, rounding).
_EARLY_TOLERANCE = datetime.timedelta(seconds=2)
_MIN_RETRY_SECONDS = 1.0
_ERROR_LENGTH = 2000
_random = secrets.SystemRandom()
INTERRUPTED_ERROR = "The sender stopped during attempt %d before recording its result."


def max_attempts(channel: str) -> int:
    """Return how many tries a delivery by this channel gets before it is dead."""
    if channel == DeliveryChannel.WEBHOOK:
        return int(settings.WEBHOOK_MAX_ATTEMPTS)
    return int(settings.NOTIFICATION_MAX_ATTEMPTS)


def lease(channel: str) -> datetime.timedelta:
    """Return how long a claim holds: the longest send, and a margin (name lookup, slow start)."""
    margin = float(settings.NOTIFICATION_LEASE_MARGIN_SECONDS)
    return datetime.timedelta(seconds=send_timeout(channel) + margin)


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


@dataclass(frozen=True)
class Claim:
    """A delivery this sender claimed: it may send it, and record the result while it holds."""

    delivery: Delivery
    token: uuid.UUID


def _claimable(now: datetime.datetime) -> Q:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + _EARLY_TOLERANCE)
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]) & due | Q(
        status=DeliveryStatus.SENDING, claimed_until__lte=now
    )


def delivery_claim(*, delivery_id: int, now: datetime.datetime) -> Claim | SendOutcome | None:
    """Claim the delivery for one attempt and commit; return the claim.

    Return None when there is nothing to do (sent, dead, not due, claimed by a sender whose
    lease still runs), and a SendOutcome when the claim itself finished the delivery: an in-app
    one written, or one whose last allowed attempt was interrupted, now dead.
    """
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient_user", "subscription")
            .filter(_claimable(now), pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        if delivery.status == DeliveryStatus.SENDING:
            # The previous claim's lease ran out: its sender stopped before recording.
            delivery.last_outcome = DeliveryOutcome.INTERRUPTED
            delivery.last_error = INTERRUPTED_ERROR % delivery.attempts
            if delivery.attempts >= max_attempts(delivery.channel):
                return _give_up(delivery, now)
        delivery.attempts += 1
        if delivery.channel == DeliveryChannel.IN_APP:
            send_in_app(delivery)
            _mark_sent(delivery)
            return SendOutcome(delivery_id=delivery.pk, status=delivery.status)
        delivery.status = DeliveryStatus.SENDING
        delivery.claim_token = uuid.uuid4()
        delivery.claimed_until = now + lease(delivery.channel)
        delivery.next_attempt_at = None
        delivery.save(
            update_fields=[
                "status",
                "attempts",
                "claim_token",
                "claimed_until",
                "next_attempt_at",
                "last_outcome",
                "last_error",
            ]
        )
        return Claim(delivery=delivery, token=delivery.claim_token)


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> SendOutcome | None:
    """Claim the delivery, send it once with no transaction open, and record what happened.

    Return None when there is nothing to do, or when this sender's claim was lost before it
    could record the result (its lease ran out and another sender claimed the row).
    """
    now = now or timezone.now()
    claimed = delivery_claim(delivery_id=delivery_id, now=now)
    if not isinstance(claimed, Claim):
        return claimed
    try:
        if claimed.delivery.channel == DeliveryChannel.EMAIL:
            send_email(claimed.delivery)
        else:
            send_webhook(claimed.delivery)
    except DeliveryFailed as failure:
        return delivery_record_failure(claim=claimed, failure=failure, now=now)
    return delivery_record_sent(claim=claimed)


def _claimed_row(claim: Claim) -> Delivery | None:
    """Lock and return the row if it still carries this claim; log and return None if not."""
    delivery = (
        Delivery.objects.select_for_update(of=("self",))
        .select_related("recipient_user", "subscription")
        .filter(pk=claim.delivery.pk, status=DeliveryStatus.SENDING, claim_token=claim.token)
        .first()
    )
    if delivery is None:
        _log_lost_claim(claim)
    return delivery


def _log_lost_claim(claim: Claim) -> None:
    logger.warning(
        "Delivery %s: the claim ran out before its result was recorded; "
        "the sender that claimed it since records it.",
        claim.delivery.pk,
    )


def _mark_sent(delivery: Delivery) -> None:
    delivery.status = DeliveryStatus.SENT
    # When it actually went out, after the send (the timeline and latency read this).
    delivery.sent_at = timezone.now()
    delivery.next_attempt_at = None
    delivery.claimed_until = None
    delivery.claim_token = None
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "sent_at",
            "next_attempt_at",
            "claimed_until",
            "claim_token",
            "last_outcome",
            "last_error",
        ]
    )


def delivery_record_sent(*, claim: Claim) -> SendOutcome | None:
    """Record that the claimed delivery went out, if the claim still holds.

    One conditional UPDATE, its own short transaction: the common case costs one round trip.
    """
    recorded = Delivery.objects.filter(
        pk=claim.delivery.pk, status=DeliveryStatus.SENDING, claim_token=claim.token
    ).update(
        status=DeliveryStatus.SENT,
        # When it actually went out, after the send (the timeline and latency read this).
        sent_at=timezone.now(),
        next_attempt_at=None,
        claimed_until=None,
        claim_token=None,
    )
    if not recorded:
        _log_lost_claim(claim)
        return None
    return SendOutcome(delivery_id=claim.delivery.pk, status=DeliveryStatus.SENT)


def delivery_record_failure(
    *, claim: Claim, failure: DeliveryFailed, now: datetime.datetime
) -> SendOutcome | None:
    """Record a failed attempt, if the claim still holds: a retry at its back-off, or dead."""
    with transaction.atomic():
        delivery = _claimed_row(claim)
        if delivery is None:
            return None
        delivery.last_error = str(failure)[:_ERROR_LENGTH]
        delivery.last_outcome = failure.outcome
        if failure.permanent or delivery.attempts >= max_attempts(delivery.channel):
            return _give_up(delivery, now)
        retry_at = now + datetime.timedelta(seconds=retry_delay(delivery.attempts))
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = retry_at
        delivery.claimed_until = None
        delivery.claim_token = None
        delivery.save(
            update_fields=[
                "status",
                "attempts",
                "last_error",
                "last_outcome",
                "next_attempt_at",
                "claimed_until",
                "claim_token",
            ]
        )
        _log_failure(delivery)
        return SendOutcome(delivery_id=delivery.pk, status=delivery.status, retry_at=retry_at)


def _give_up(delivery: Delivery, now: datetime.datetime) -> SendOutcome:
    """Mark the delivery dead and tell its agency's admins; inside the caller's transaction."""
    delivery.status = DeliveryStatus.DEAD
    delivery.dead_at = now
    delivery.next_attempt_at = None
    delivery.claimed_until = None
    delivery.claim_token = None
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "last_error",
            "last_outcome",
            "next_attempt_at",
            "dead_at",
            "claimed_until",
            "claim_token",
        ]
    )
    _log_failure(delivery)
    dead_letter_notify(delivery)
    return SendOutcome(delivery_id=delivery.pk, status=delivery.status)


def _log_failure(delivery: Delivery) -> None:
    logger.warning(
        "Delivery %s (%s) attempt %d failed (%s): %s",
        delivery.pk,
        delivery.channel,
        delivery.attempts,
        delivery.last_outcome,
        delivery.last_error,
    )
