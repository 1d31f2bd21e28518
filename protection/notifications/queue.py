"""The names of the notification tasks, and how a service puts work on the queue.

Tasks (tasks.py) are the worker's entry points: each calls a service. The services that enqueue
work (the outbox when its transaction commits, the sweeper) have Celery send the task by the name
it is registered under, so that services never import the tasks module and the import graph
keeps its one direction: tasks -> services -> queue.

Publishing never makes a caller wait long: one try per batch, bounded by the broker's socket
timeouts (settings CELERY_BROKER_TRANSPORT_OPTIONS), and after a failure no process of the host
asks the broker again for BROKER_PAUSE_AFTER_FAILURE_SECONDS (protection.degradation). The rows
are in the database already; what is not queued here, the sweeper queues later.
"""

import logging
from collections.abc import Sequence

from celery import current_app
from django.conf import settings

from protection.degradation import pause_for

logger = logging.getLogger(__name__)

DELIVERY_SEND = "protection.notifications.tasks.delivery_send"
DELIVERIES_SWEEP = "protection.notifications.tasks.deliveries_sweep"

# One try: Celery's default policy retries a failed publish three times, each waiting for the
# socket timeout again, while the reporter waits for the answer.
_PUBLISH_RETRY_POLICY = {"max_retries": 0}


class BrokerUnavailable(Exception):
    """The broker failed (or failed a moment ago): `published` tasks went before it did."""

    def __init__(self, *, published: int, paused: bool) -> None:
        super().__init__(
            "The broker failed a moment ago; not asked." if paused else "The broker failed."
        )
        self.published = published
        self.paused = paused


def delivery_send_enqueue(delivery_ids: Sequence[int], *, despite_pause: bool = False) -> int:
    """Queue one send task per delivery, over one broker connection; return how many.

    Raise BrokerUnavailable, saying how many were queued before, when the broker fails or
    failed less than BROKER_PAUSE_AFTER_FAILURE_SECONDS ago (unless `despite_pause`: a worker
    that just got a task from the broker has reason to believe it is back).
    """
    pause = pause_for(
        f"broker {current_app.conf.broker_url}",
        seconds=float(settings.BROKER_PAUSE_AFTER_FAILURE_SECONDS),
    )
    paused = pause.skip()
    if paused and not despite_pause:
        raise BrokerUnavailable(published=0, paused=True)
    published = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for delivery_id in delivery_ids:
                # By name: the web process never imports the tasks modules, so the task is not
                # in its registry (looking it up there raised NotRegistered on every report).
                current_app.send_task(
                    DELIVERY_SEND,
                    args=(delivery_id,),
                    producer=producer,
                    retry=True,
                    retry_policy=_PUBLISH_RETRY_POLICY,
                )
                published += 1
    except Exception as error:
        pause.start()
        raise BrokerUnavailable(published=published, paused=False) from error
    if paused:
        pause.end()  # It answered despite the pause: the broker is back for everyone.
    elif pause.succeeded():
        # The broker is back after a pause: what was written meanwhile was never queued.
        deliveries_sweep_enqueue(after_seconds=0)
    return published


def deliveries_sweep_enqueue(*, after_seconds: float | None = None) -> None:
    """Queue a sweep now (of rows pending `after_seconds`, or the usual delay); never raises."""
    try:
        current_app.send_task(
            DELIVERIES_SWEEP,
            kwargs={"after_seconds": after_seconds},
            retry=True,
            retry_policy=_PUBLISH_RETRY_POLICY,
        )
    except Exception:
        logger.warning("Could not queue a sweep; beat will run one.", exc_info=True)
