"""Read the pipeline's health: the outbox's figures from the access policy, the heartbeat, the
broker's queues and the workers, each rated against its thresholds.

The outbox figures are one aggregate query over the deliveries the user may monitor
(`access.deliveries_monitored_by`): a platform superuser counts every agency's, an agency
administrator the agency's own. The queue, the heartbeat and the workers are the platform's,
the same for everyone allowed to look. Nothing here names a person or shows a delivery.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Min, Q
from django.utils import timezone

from protection import access
from protection.health import broker
from protection.health import figures as f
from protection.health.models import Heartbeat
from protection.health.services import BEAT
from protection.notifications.models import DeliveryStatus

if TYPE_CHECKING:
    from partners.models import PartnerAgency

DEAD_WINDOW = datetime.timedelta(hours=24)
NO_HEARTBEAT = "no_heartbeat_yet"


@dataclass(frozen=True)
class OutboxFigures:
    """The deliveries still to go out and those given up on lately, as the user may count them."""

    pending: int
    failed: int
    dead_24h: int
    oldest_pending_at: datetime.datetime | None


def outbox_figures(*, user: access.Monitor, now: datetime.datetime) -> OutboxFigures:
    """Count the user's monitored deliveries pending, failed, and dead in the last 24 hours.

    One query. The WHERE clause keeps to the rows the partial indexes on unfinished and dead
    deliveries hold, so the count never reads the millions already sent.
    """
    since = now - DEAD_WINDOW
    unfinished = [DeliveryStatus.PENDING, DeliveryStatus.FAILED]
    dead_lately = Q(status=DeliveryStatus.DEAD, dead_at__gte=since)
    counts = (
        access.deliveries_monitored_by(user)
        .filter(Q(status__in=unfinished) | dead_lately)
        .aggregate(
            pending=Count("pk", filter=Q(status=DeliveryStatus.PENDING)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            dead_24h=Count("pk", filter=dead_lately),
            oldest_pending_at=Min("created_at", filter=Q(status=DeliveryStatus.PENDING)),
        )
    )
    return OutboxFigures(
        pending=counts["pending"],
        failed=counts["failed"],
        dead_24h=counts["dead_24h"],
        oldest_pending_at=counts["oldest_pending_at"],
    )


def last_heartbeat() -> datetime.datetime | None:
    """Return when a worker last recorded beat's heartbeat (None: never)."""
    return Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()


@dataclass(frozen=True)
class PipelineHealth:
    """Every figure, rated; `agency` is set when the outbox figures are one agency's only."""

    checked_at: datetime.datetime
    figures: tuple[f.Figure, ...]
    agency: "PartnerAgency | None"
    heartbeat_at: datetime.datetime | None
    oldest_pending_at: datetime.datetime | None
    queues: dict[str, int]

    @property
    def status(self) -> f.Status:
        return f.overall(self.figures)


def _age(then: datetime.datetime | None, now: datetime.datetime) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def pipeline_health(
    *, user: access.Monitor, now: datetime.datetime | None = None
) -> PipelineHealth:
    """Measure the pipeline for a user allowed to monitor it (the caller checks that).

    Two queries (the outbox's aggregate and the heartbeat) and two questions to the broker,
    each bounded by PIPELINE_BROKER_TIMEOUT_SECONDS.
    """
    now = now or timezone.now()
    outbox = outbox_figures(user=user, now=now)
    heartbeat_at = last_heartbeat()
    depth = broker.queue_depth()
    workers = broker.workers_answering()
    if outbox.oldest_pending_at is None:
        oldest: float | None = 0.0
    else:
        oldest = _age(outbox.oldest_pending_at, now)
    beat_detail: dict[str, object] = {} if heartbeat_at else {"error": NO_HEARTBEAT}
    measured = (
        f.figure(
            f.QUEUE_DEPTH,
            depth.total,
            {"error": depth.error} if depth.error else {"queues": depth.by_queue},
        ),
        f.figure(f.OLDEST_PENDING, oldest),
        f.figure(f.DEAD_24H, outbox.dead_24h),
        f.figure(f.PENDING, outbox.pending),
        f.figure(f.FAILED, outbox.failed),
        f.figure(f.BEAT_AGE, _age(heartbeat_at, now), beat_detail),
        f.figure(
            f.WORKERS,
            workers.count,
            {"error": workers.error} if workers.error else {"workers": list(workers.names)},
        ),
    )
    return PipelineHealth(
        checked_at=now,
        figures=measured,
        agency=access.monitored_agency(user),
        heartbeat_at=heartbeat_at,
        oldest_pending_at=outbox.oldest_pending_at,
        queues=depth.by_queue,
    )
