"""The sweeper: find the deliveries that should have moved by now and enqueue them again.

It claims rows a batch at a time (one locking SELECT and one UPDATE per batch, however many
rows) and publishes each batch's tasks over one broker connection, so that a backlog left by an
outage drains at tens of thousands of rows a minute (benchmarks/sweep_rate.py). A row is claimed
by one sweep only (SKIP LOCKED, then touched so that the next sweep leaves it alone), and a row
queued twice is still sent once: the send claims it again (services.sending).
"""

import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from protection.notifications.models import (
    Delivery,
    DeliveryStatus,
)
from protection.notifications.services.outbox import enqueue_deliveries

SWEEP_BATCH = 1000
# A sweep stops after this many rows, so that one run does not hold a worker for minutes; the
# next beat run (NOTIFICATION_SWEEP_SECONDS later) goes on.
SWEEP_LIMIT = 20_000


def _enqueue(ids: list[int], *, into: list[int]) -> None:
    # A sweep runs in a worker that just got its task from the broker: ask it even if a
    # process of this host paused it after a failure, or the claimed rows would wait a sweep.
    into.append(enqueue_deliveries(ids, despite_pause=True))


def deliveries_sweep(
    *,
    now: datetime.datetime | None = None,
    limit: int = SWEEP_LIMIT,
    after_seconds: float | None = None,
) -> list[int]:
    """Mark the deliveries that should have moved by now as due again; return their ids.

    Those are the rows still pending a while after they were written (the broker was down at
    commit time), the failed rows whose retry is overdue (the retry task was lost), and the rows
    claimed by a sender whose lease ran out (it died mid-send). A row being sent right now holds
    its lease and is left alone. Touching the rows
    means the next sweep leaves them alone for another delay, so a slow queue is not flooded.
    A sweep stops early when the broker fails: the rest waits for the next one.

    `after_seconds` replaces NOTIFICATION_SWEEP_AFTER_SECONDS: 0 when the broker has just come
    back, because what was written while it was away is in no queue (a row that is, is queued
    twice and still sent once).
    """
    now = now or timezone.now()
    if after_seconds is None:
        after_seconds = float(settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    cutoff = now - datetime.timedelta(seconds=after_seconds)
    due = Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=True, created_at__lte=cutoff)
        | Q(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
            next_attempt_at__lte=cutoff,
        )
        # Claimed by a sender whose lease ran out: it died mid-send; the next claim counts it.
        | (
            Q(status=DeliveryStatus.SENDING, claimed_until__lte=now)
            & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff))
        )
    )
    swept: list[int] = []
    while len(swept) < limit:
        size = min(SWEEP_BATCH, limit - len(swept))
        queued: list[int] = []
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("pk", flat=True)[:size]
            )
            if ids:
                Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
                transaction.on_commit(partial(_enqueue, ids, into=queued))
        swept.extend(ids)
        broker_failed = bool(queued) and queued[0] < len(ids)
        if len(ids) < size or broker_failed:
            break
    return swept
