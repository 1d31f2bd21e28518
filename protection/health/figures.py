"""The figures of the pipeline's health, and their status against the thresholds in settings.

Each figure has a value (None when it could not be measured: the broker did not answer) and a
status: ok, warning or critical. A figure that could not be measured is critical, because a
monitor that cannot see the queue must not report it healthy. The whole pipeline is as bad as
its worst figure.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from django.conf import settings


class Status(IntEnum):
    """A figure's state; the order is the severity (the overall status is the maximum)."""

    OK = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Limits:
    """A figure's thresholds: at or past `warning` it warns, at or past `critical` it is critical.

    "Past" is above, or below for a figure where fewer is worse (workers answering).
    """

    warning: float
    critical: float
    fewer_is_worse: bool = False

    def rate(self, value: float | None) -> Status:
        """Return the status of `value` (None, not measured, is critical)."""
        if value is None:
            return Status.CRITICAL
        if self.fewer_is_worse:
            if value < self.critical:
                return Status.CRITICAL
            return Status.WARNING if value < self.warning else Status.OK
        if value >= self.critical:
            return Status.CRITICAL
        return Status.WARNING if value >= self.warning else Status.OK


# The figures, in the order the page and the JSON give them.
QUEUE_DEPTH = "queue_depth"
OLDEST_PENDING = "oldest_pending_delivery_seconds"
DEAD_24H = "deliveries_dead_24h"
PENDING = "deliveries_pending"
FAILED = "deliveries_failed"
BEAT_AGE = "beat_heartbeat_age_seconds"
WORKERS = "workers_answering"
NAMES = (QUEUE_DEPTH, OLDEST_PENDING, DEAD_24H, PENDING, FAILED, BEAT_AGE, WORKERS)
# Figures that count deliveries: an agency administrator sees the agency's own.
PER_AGENCY = frozenset({OLDEST_PENDING, DEAD_24H, PENDING, FAILED})
SECONDS = frozenset({OLDEST_PENDING, BEAT_AGE})


def limits(name: str) -> Limits:
    """Return the thresholds of the figure `name`, from settings.PIPELINE_HEALTH_LIMITS."""
    warning, critical = settings.PIPELINE_HEALTH_LIMITS[name]
    return Limits(float(warning), float(critical), fewer_is_worse=name == WORKERS)


@dataclass(frozen=True)
class Figure:
    """One measured figure: its value (None when not measured), status and a short reason."""

    name: str
    value: float | None
    status: Status
    limits: Limits
    # Why the value is missing, or what makes it up (per queue), for the JSON and the page.
    detail: dict[str, object] = field(default_factory=dict)

    @property
    def per_agency(self) -> bool:
        return self.name in PER_AGENCY

    @property
    def in_seconds(self) -> bool:
        return self.name in SECONDS


def figure(name: str, value: float | None, detail: dict[str, object] | None = None) -> Figure:
    """Return the figure `name` with `value`, rated against its thresholds."""
    bounds = limits(name)
    return Figure(name, value, bounds.rate(value), bounds, detail or {})


def overall(figures: Iterable[Figure]) -> Status:
    """Return the worst status among the figures (ok when there are none)."""
    return max((f.status for f in figures), default=Status.OK)
