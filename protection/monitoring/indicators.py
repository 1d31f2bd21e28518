"""The indicators of the mission, per site and month, computed in the database.

- time from an incident's report to the first acknowledgement of one of its alerts (median,
  90th percentile), by the month the incident was reported;
- the share of alerts acknowledged before the deadline of the first tier told, of those whose
  outcome is known
  (acknowledged, or past the deadline), by the month they were raised;
- the share of referrals answered within their deadline, likewise, by the month they were sent;
- time from a case's opening to its first assessment (median, 90th percentile), by the month
  the case was opened;
- cases closed with a durable solution, by solution, by the month they were closed.

PostgreSQL computes the percentiles itself (percentile_cont, the interpolated percentile).
SQLite, the embedded default of `make run`, has no ordered-set aggregates and no date
arithmetic Django can write: there the durations and deadlines are fetched and worked out the
same way in Python.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from cases.models import CaseAssessment, ClosureReason, ReferralStatus
from incidents.models import Alert, EscalationTier
from protection.monitoring.scope import FigureScope

Key = tuple[int, datetime.date]


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(values: list[float], fraction: float) -> float | None:
    """Return the interpolated percentile of the values, as percentile_cont computes it."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower, upper = math.floor(position), math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class IndicatorRow:
    """The indicators of one site in one month."""

    site_id: int
    site_code: str
    site_name: str
    month: datetime.date
    incidents_acknowledged: int = 0
    acknowledgement_median_minutes: float | None = None
    acknowledgement_p90_minutes: float | None = None
    alerts_due: int = 0
    alerts_on_time: int = 0
    referrals_due: int = 0
    referrals_on_time: int = 0
    cases_assessed: int = 0
    assessment_median_days: float | None = None
    assessment_p90_days: float | None = None
    durable_solutions: dict[str, int] = field(default_factory=dict)

    @property
    def alerts_on_time_share(self) -> float | None:
        return self.alerts_on_time / self.alerts_due if self.alerts_due else None

    @property
    def referrals_on_time_share(self) -> float | None:
        return self.referrals_on_time / self.referrals_due if self.referrals_due else None

    @property
    def durable_solutions_total(self) -> int:
        return sum(self.durable_solutions.values())


@dataclass(frozen=True)
class Period:
    """From the first day to the last day, both included."""

    first: datetime.date
    last: datetime.date

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Return the period as aware datetimes [start, end) in the current time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(
            self.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        return start, end


def months_back(today: datetime.date, months: int) -> Period:
    """Return the period from the first day of the month `months - 1` before, to today."""
    year, month = today.year, today.month - (months - 1)
    while month < 1:
        month += 12
        year -= 1
    return Period(first=datetime.date(year, month, 1), last=today)


def _durations(
    rows: QuerySet[Any], key: str, value: str, unit: datetime.timedelta
) -> dict[Key, tuple[int, float | None, float | None]]:
    """Group durations by (site, month): count, median and 90th percentile, in `unit`s."""
    grouped: dict[Key, tuple[int, float | None, float | None]] = {}
    if connection.vendor == "postgresql":
        for row in rows.values("site_key", "month").annotate(
            n=Count("pk"),
            median=PercentileCont(value, 0.5, output_field=DurationField()),
            p90=PercentileCont(value, 0.9, output_field=DurationField()),
        ):
            grouped[(row["site_key"], row["month"])] = (
                row["n"],
                row["median"] / unit if row["median"] is not None else None,
                row["p90"] / unit if row["p90"] is not None else None,
            )
        return grouped
    # SQLite (make run): the same figures, interpolated in Python.
    samples: dict[Key, list[float]] = defaultdict(list)
    for site_key, month, duration in rows.values_list("site_key", "month", value):
        samples[(site_key, _as_date(month))].append(duration / unit)
    for group, values in samples.items():
        grouped[group] = (len(values), percentile(values, 0.5), percentile(values, 0.9))
    return grouped


def _as_date(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _acknowledgements(scope: FigureScope, period: Period) -> dict[Key, Any]:
    start, end = period.bounds()
    first_ack = (
        Alert.objects.filter(incident_id=OuterRef("pk"), acknowledged_at__isnull=False)
        .order_by("acknowledged_at")
        .values("acknowledged_at")[:1]
    )
    rows = (
        scope.incidents()
        .filter(reported_at__gte=start, reported_at__lt=end)
        .annotate(first_ack=Subquery(first_ack))
        .filter(first_ack__isnull=False)
        .annotate(
            site_key=F("site_id"),
            month=TruncMonth("reported_at", output_field=DateField()),
            wait=ExpressionWrapper(F("first_ack") - F("reported_at"), DurationField()),
        )
    )
    return _durations(rows, "site_key", "wait", datetime.timedelta(minutes=1))


def _first_assessments(scope: FigureScope, period: Period) -> dict[Key, Any]:
    first = (
        CaseAssessment.objects.filter(case_id=OuterRef("pk"))
        .order_by("assessed_on")
        .values("assessed_on")[:1]
    )
    rows = (
        scope.cases()
        .filter(opened_on__gte=period.first, opened_on__lte=period.last)
        .annotate(first_assessed=Subquery(first, output_field=DateField()))
        .filter(first_assessed__isnull=False)
        .annotate(
            site_key=F("primary_person__site_id"),
            month=TruncMonth("opened_on"),
            delay=ExpressionWrapper(F("first_assessed") - F("opened_on"), DurationField()),
        )
    )
    return _durations(rows, "site_key", "delay", datetime.timedelta(days=1))


def _alerts_on_time(
    scope: FigureScope, period: Period, now: datetime.datetime
) -> dict[Key, tuple[int, int]]:
    """Count alerts acknowledged before the deadline of the first tier told.

    An alert's deadline moves on at each escalation and is cleared by the acknowledgement,
    so the first deadline is worked out again: raised at, plus the first tier's minutes (or
    its policy's). An alert without a policy (an early warning told to the site's managers)
    has no deadline and is not counted.
    """
    start, end = period.bounds()
    first_tier_minutes = (
        EscalationTier.objects.filter(policy_id=OuterRef("policy_id"))
        .order_by("level")
        .annotate(minutes=Coalesce("ack_deadline_minutes", "policy__ack_deadline_minutes"))
        .values("minutes")[:1]
    )
    alerts = (
        scope.alerts()
        .filter(raised_at__gte=start, raised_at__lt=end, policy__isnull=False)
        .annotate(
            minutes=Subquery(first_tier_minutes, output_field=IntegerField()),
            month=TruncMonth("raised_at", output_field=DateField()),
        )
    )
    if connection.vendor != "postgresql":
        return _alerts_on_time_in_python(alerts, now)
    rows = (
        alerts.annotate(
            first_deadline=ExpressionWrapper(
                F("raised_at") + F("minutes") * datetime.timedelta(minutes=1),
                DateTimeField(),
            ),
        )
        .filter(Q(acknowledged_at__isnull=False) | Q(first_deadline__lte=now))
        .values("site_id", "month")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(acknowledged_at__lte=F("first_deadline"))),
        )
    )
    return {(r["site_id"], _as_date(r["month"])): (r["due"], r["on_time"]) for r in rows}


def _alerts_on_time_in_python(
    alerts: QuerySet[Any], now: datetime.datetime
) -> dict[Key, tuple[int, int]]:
    """The same counts for SQLite (make run), whose date arithmetic Django cannot express."""
    counts: dict[Key, list[int]] = defaultdict(lambda: [0, 0])
    for site_id, month, raised, acknowledged, minutes in alerts.values_list(
        "site_id", "month", "raised_at", "acknowledged_at", "minutes"
    ):
        deadline = raised + datetime.timedelta(minutes=minutes or 0)
        if acknowledged is None and deadline > now:
            continue
        tally = counts[(site_id, _as_date(month))]
        tally[0] += 1
        tally[1] += acknowledged is not None and acknowledged <= deadline
    return {key: (due, on_time) for key, (due, on_time) in counts.items()}


def _referrals_on_time(
    scope: FigureScope, period: Period, now: datetime.datetime
) -> dict[Key, tuple[int, int]]:
    start, end = period.bounds()
    rows = (
        scope.referrals()
        .filter(sent_at__gte=start, sent_at__lt=end, response_due_at__isnull=False)
        .filter(Q(responded_at__isnull=False) | Q(response_due_at__lte=now))
        # A referral withdrawn before anybody answered has no answer to time.
        .exclude(status=ReferralStatus.CANCELLED, responded_at__isnull=True)
        .annotate(
            site_key=F("case__primary_person__site_id"),
            month=TruncMonth("sent_at", output_field=DateField()),
        )
        .values("site_key", "month")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(responded_at__lte=F("response_due_at"))),
        )
    )
    return {(r["site_key"], _as_date(r["month"])): (r["due"], r["on_time"]) for r in rows}


def _durable_solutions(scope: FigureScope, period: Period) -> dict[Key, dict[str, int]]:
    rows = (
        scope.cases()
        .filter(
            closed_on__gte=period.first,
            closed_on__lte=period.last,
            closure_reason=ClosureReason.DURABLE_SOLUTION,
        )
        .annotate(site_key=F("primary_person__site_id"), month=TruncMonth("closed_on"))
        .values("site_key", "month", "durable_solution")
        .annotate(n=Count("pk"))
    )
    solutions: dict[Key, dict[str, int]] = defaultdict(dict)
    for row in rows:
        solutions[(row["site_key"], _as_date(row["month"]))][row["durable_solution"]] = row["n"]
    return solutions


def indicators(
    *,
    scope: FigureScope,
    period: Period,
    site_ids: list[int] | None = None,
    now: datetime.datetime | None = None,
) -> list[IndicatorRow]:
    """Return the indicators of the scope's sites, one row per site and month with any figure.

    Six queries whatever the number of sites and months.
    """
    now = now or timezone.now()
    sites = scope.sites()
    if site_ids is not None:
        sites = sites.filter(pk__in=site_ids)
    names = {pk: (code, name) for pk, code, name in sites.values_list("pk", "code", "name")}
    rows: dict[Key, IndicatorRow] = {}

    def row(key: Key) -> IndicatorRow | None:
        if key[0] not in names:
            return None
        if key not in rows:
            code, name = names[key[0]]
            rows[key] = IndicatorRow(site_id=key[0], site_code=code, site_name=name, month=key[1])
        return rows[key]

    for key, (n, median, p90) in _acknowledgements(scope, period).items():
        if (target := row(key)) is not None:
            target.incidents_acknowledged = n
            target.acknowledgement_median_minutes = median
            target.acknowledgement_p90_minutes = p90
    for key, (due, on_time) in _alerts_on_time(scope, period, now).items():
        if (target := row(key)) is not None:
            target.alerts_due, target.alerts_on_time = due, on_time
    for key, (due, on_time) in _referrals_on_time(scope, period, now).items():
        if (target := row(key)) is not None:
            target.referrals_due, target.referrals_on_time = due, on_time
    for key, (n, median, p90) in _first_assessments(scope, period).items():
        if (target := row(key)) is not None:
            target.cases_assessed = n
            target.assessment_median_days = median
            target.assessment_p90_days = p90
    for key, solutions in _durable_solutions(scope, period).items():
        if (target := row(key)) is not None:
            target.durable_solutions = solutions
    return sorted(rows.values(), key=lambda r: (r.site_name, r.site_code, r.month))
