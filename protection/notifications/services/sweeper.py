"""The sweeper: find the deliveries that should have moved by now and enqueue them again."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from protection.notifications.models import (
    Delivery,
    DeliveryStatus,
)
from protection.notifications.services.outbox import enqueue_deliveries

_SWEEP_BATCH = 500


def deliveries_sweep(*, now: datetime.datetime | None = None) -> list[int]:
    """Mark the deliveries that should have moved by now as due again; return their ids.

    Those are the rows still pending a while after they were written (the broker was down at
    commit time), the failed rows whose retry is overdue (the retry task was lost), and the
    rows claimed by a sender whose lease ran out (it died mid-send: the next claim counts that
    attempt). Touching the rows means the next sweep leaves them alone for another delay, so a
    slow queue is not flooded.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=int(settings.NOTIFICATION_SWEEP_AFTER_SECONDS))
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(
                Q(
                    status=DeliveryStatus.PENDING,
                    next_attempt_at__isnull=True,
                    created_at__lte=cutoff,
                )
                | Q(
                    status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
                    next_attempt_at__lte=cutoff,
                )
                | (
                    Q(status=DeliveryStatus.SENDING, claimed_until__lte=now)
                    & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=cutoff))
                )
            )
            .order_by("id")
            .values_list("pk", flat=True)[:_SWEEP_BATCH]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
            transaction.on_commit(lambda: enqueue_deliveries(ids))
    return ids
