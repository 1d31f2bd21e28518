"""Early warning: is a site's recent count of incidents improbably high for that site?

Each site is compared with itself. Its baseline is the rate of incidents over the weeks before
the last seven days (eight weeks by default); the expected count in a window is that daily rate
times the window's length. If incidents arrived at the baseline rate, the count in a window
would follow a Poisson distribution with that mean, so the probability of seeing at least the
observed count by chance is the Poisson upper tail P(X >= observed). A warning is raised when
that probability is below the threshold (0.01 by default) and the count reaches a minimum, so
that one incident in a quiet site is not a crisis.

Counted: incidents with a site, not discredited, whose date is known at least to the day
(month-precision dates would all fall on the first of the month and fake a spike); reports
linked as one event (incidents.events) count once. The time is
when the incident occurred, so that late data entry of old incidents raises nothing.
"""

import datetime
import math
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from incidents.models import DatePrecision, Incident, Verification, event_key

WINDOWS: tuple[tuple[str, int], ...] = (("24h", 1), ("7d", 7))


def poisson_upper_tail(observed: int, mean: float) -> float:
    """Return P(X >= observed) for X ~ Poisson(mean), computed in log space without scipy."""
    if observed <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_mean = math.log(mean)

    def term(i: int) -> float:
        return math.exp(-mean + i * log_mean - math.lgamma(i + 1))

    if observed <= mean:
        # The tail holds most of the mass; one minus the lower part is accurate here.
        return max(0.0, 1.0 - math.fsum(term(i) for i in range(observed)))
    # Far in the tail 1 - CDF loses every digit; sum the tail itself. Past the mean each
    # term is the previous one times mean / i < 1, so the sum converges quickly.
    total, current, i = 0.0, term(observed), observed
    while current > 0.0 and current > total * 1e-17:
        total += current
        i += 1
        current *= mean / i
    return min(1.0, total)


@dataclass(frozen=True)
class WindowAssessment:
    """One site's count in one window against what its baseline leads one to expect."""

    window: str
    observed: int
    expected: float
    probability: float
    raised: bool


def assess(
    *,
    window: str,
    window_days: int,
    observed: int,
    baseline_count: int,
    baseline_days: int,
    threshold: float,
    min_count: int,
    floor_per_day: float,
) -> WindowAssessment:
    """Assess one window: raise when the count is improbably high and reaches the minimum."""
    rate = max(baseline_count / baseline_days, floor_per_day)
    expected = rate * window_days
    probability = poisson_upper_tail(observed, expected)
    return WindowAssessment(
        window=window,
        observed=observed,
        expected=expected,
        probability=probability,
        raised=observed >= min_count and probability < threshold,
    )


@dataclass(frozen=True)
class SiteCounts:
    site_id: int
    last_24h: int
    last_7d: int
    baseline: int


def baseline_days() -> int:
    return int(settings.EARLY_WARNING_BASELINE_WEEKS) * 7


def site_counts(
    *, now: datetime.datetime, site_ids: Collection[int] | None = None
) -> list[SiteCounts]:
    """Count each site's incidents in the last 24 hours, 7 days and the baseline before them.

    Every site with an incident in that time, or only those of `site_ids` (a dashboard's).
    """
    week_ago = now - datetime.timedelta(days=7)
    start = week_ago - datetime.timedelta(days=baseline_days())
    # A drill's simulated incidents never raise an early warning.
    incidents = Incident.objects.filter(site__isnull=False, drill__isnull=True)
    if site_ids is not None:
        incidents = incidents.filter(site_id__in=site_ids)
    rows = (
        incidents.filter(occurred_at__gt=start, occurred_at__lte=now)
        .exclude(verification=Verification.DISCREDITED)
        .exclude(occurred_precision=DatePrecision.MONTH)
        .values("site_id")
        .annotate(
            last_24h=Count(
                event_key(),
                distinct=True,
                filter=Q(occurred_at__gt=now - datetime.timedelta(days=1)),
            ),
            last_7d=Count(event_key(), distinct=True, filter=Q(occurred_at__gt=week_ago)),
            baseline=Count(event_key(), distinct=True, filter=Q(occurred_at__lte=week_ago)),
        )
        .order_by("site_id")
    )
    return [
        SiteCounts(
            site_id=row["site_id"],
            last_24h=row["last_24h"],
            last_7d=row["last_7d"],
            baseline=row["baseline"],
        )
        for row in rows
    ]


def assess_site(counts: SiteCounts) -> list[WindowAssessment]:
    """Assess both windows of one site with the configured threshold and minimums."""
    observed = {"24h": counts.last_24h, "7d": counts.last_7d}
    minimum = {
        "24h": int(settings.EARLY_WARNING_MIN_COUNT_24H),
        "7d": int(settings.EARLY_WARNING_MIN_COUNT_7D),
    }
    return [
        assess(
            window=window,
            window_days=days,
            observed=observed[window],
            baseline_count=counts.baseline,
            baseline_days=baseline_days(),
            threshold=float(settings.EARLY_WARNING_THRESHOLD),
            min_count=minimum[window],
            floor_per_day=float(settings.EARLY_WARNING_BASELINE_FLOOR_PER_WEEK) / 7,
        )
        for window, days in WINDOWS
    ]
