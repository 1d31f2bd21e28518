"""The outbox: write one delivery row per recipient inside the caller's transaction, and enqueue
the tasks that send them once it commits.

A caller (an incident report, an escalation, an overdue referral) calls `deliveries_queue`
inside its own transaction. If the broker is down at commit time, the rows stay pending and the
sweeper (services.sweeper) sends them later.
"""

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction

from protection.audit import object_type_of
from protection.degradation import degraded
from protection.notifications.models import (
    Delivery,
    WebhookSubscription,
)
from protection.notifications.queue import BrokerUnavailable, delivery_send_enqueue

if TYPE_CHECKING:
    from protection.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who receives one delivery: a user (in-app, email) or a webhook subscription."""

    channel: str
    user: "User | None" = None
    subscription: WebhookSubscription | None = None

    @property
    def reference(self) -> str:
        if self.subscription is not None:
            return f"s{self.subscription.pk}"
        assert self.user is not None  # a recipient is a subscription or a user
        return f"u{self.user.pk}"


@dataclass(frozen=True)
class Content:
    """The human-readable part of a delivery, in the recipient's language."""

    subject: str
    body: str


def delivery_key(*, source: models.Model, occasion: str, recipient: Recipient) -> str:
    """Return the key that makes a delivery unique: source event, channel and recipient."""
    return (
        f"{object_type_of(source)}:{source.pk}:{occasion}:{recipient.channel}:{recipient.reference}"
    )


def language_of(user: "User | None") -> str:
    """Return the language to write to this user in."""
    preferred = getattr(user, "preferred_language", "") or ""
    known = {code for code, _name in settings.LANGUAGES}
    return preferred if preferred in known else settings.LANGUAGE_CODE


def deliveries_queue(
    *,
    source: models.Model,
    occasion: str,
    event: str,
    recipients: Iterable[Recipient],
    compose: Callable[[Recipient], Content],
    payload: dict[str, Any],
) -> list[Delivery]:
    """Write one pending delivery per recipient and channel; send them after the commit.

    `occasion` names the event of `source` (e.g. "raised"); a recipient already holding a
    delivery for the same source, occasion and channel is skipped, so calling twice is harmless.
    Call inside the caller's transaction. Return the deliveries written by this call.
    """
    unique: dict[str, Recipient] = {}
    for recipient in recipients:
        unique.setdefault(
            delivery_key(source=source, occasion=occasion, recipient=recipient), recipient
        )
    if not unique:
        return []
    existing = set(Delivery.objects.filter(key__in=unique).values_list("key", flat=True))
    rows = []
    for key, recipient in unique.items():
        if key in existing:
            continue
        content = compose(recipient)
        rows.append(
            Delivery(
                key=key,
                channel=recipient.channel,
                recipient_user=recipient.user if recipient.subscription is None else None,
                subscription=recipient.subscription,
                event=event,
                source_type=object_type_of(source),
                source_id=str(source.pk),
                subject=content.subject[:300],
                body=content.body,
                payload=payload,
            )
        )
    # A concurrent writer of the same key (which the callers' locks already rule out) would
    # be skipped, not fail the whole transaction.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(Delivery.objects.filter(key__in=[row.key for row in rows]).order_by("id"))
    ids = [delivery.pk for delivery in created]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return created


def enqueue_deliveries(delivery_ids: Sequence[int], *, despite_pause: bool = False) -> int:
    """Queue the sending of these deliveries; if the broker fails, leave them to the sweeper.

    Return how many were queued. Never raises and never waits more than the broker's socket
    timeout: the rows are safe in the database already, and the person who reported the
    incident must not see an error, nor wait, for it. `despite_pause` asks the broker even
    if it failed a moment ago (see queue.delivery_send_enqueue).
    """
    if not delivery_ids:
        return 0
    try:
        return delivery_send_enqueue(delivery_ids, despite_pause=despite_pause)
    except BrokerUnavailable as failure:
        left = len(delivery_ids) - failure.published
        if failure.paused:
            degraded("broker.skipped")
            logger.warning(
                "Broker paused after a failure; %d deliveries left for the sweeper.", left
            )
        else:
            degraded("broker.error")
            logger.warning(
                "Broker unavailable; %d deliveries left for the sweeper.", left, exc_info=True
            )
        return failure.published
