"""Celery tasks that move deliveries forward: they take ids, call a service, and are safe to run
twice (the service claims the row, so a repeated task finds nothing left to do).

The services enqueue these tasks by name (protection.notifications.queue) and never import this
module, so the import graph points one way: tasks -> services -> queue.
"""

import logging

from celery import shared_task
from django.utils import timezone

from protection.audit import task_context
from protection.notifications import queue
from protection.notifications.services import sending, sweeper

logger = logging.getLogger(__name__)


@shared_task(name=queue.DELIVERY_SEND)
def delivery_send_task(delivery_id: int) -> str | None:
    """Send one delivery; after a failure, schedule the next try at its backoff time."""
    with task_context():
        outcome = sending.delivery_send(delivery_id=delivery_id)
    if outcome is None:
        return None
    if outcome.retry_at is not None:
        countdown = max(0.0, (outcome.retry_at - timezone.now()).total_seconds())
        try:
            delivery_send_task.apply_async((delivery_id,), countdown=countdown)
        except Exception:
            # The row is failed with its retry time; the sweeper enqueues it when due.
            logger.warning(
                "Could not schedule the retry of delivery %s.", delivery_id, exc_info=True
            )
    return outcome.status


@shared_task(name=queue.DELIVERIES_SWEEP)
def deliveries_sweep(after_seconds: float | None = None) -> int:
    """Re-enqueue deliveries left pending or overdue for retry; return how many."""
    with task_context():
        return len(sweeper.deliveries_sweep(after_seconds=after_seconds))
