"""The protection monitoring report: a period's verified incidents, trends and indicators.

It is written to leave the agency (the protection cluster, donors, the mission's leadership):
it holds no personal data, only counts, and every count is suppressed below the threshold
whoever asks, with its complements, so that no cell can be recovered from the totals.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from camps.models import Site
from camps.selectors import sites_population
from incidents.models import IncidentType, Verification, event_key
from protection.monitoring.indicators import Period, indicators
from protection.monitoring.presentation import PublishedRow, publish_indicators
from protection.monitoring.published import TOTAL, Figure, SuppressedTable, publish
from protection.monitoring.scope import FigureScope


@dataclass(frozen=True)
class MonitoringReport:
    """What the report shows; every count already suppressed."""

    period: Period
    sites: Sequence[Site]
    population: int
    types: list[IncidentType]
    by_type_and_site: SuppressedTable  # ("type", "site")
    months: list[datetime.date]
    by_month: SuppressedTable  # ("month",)
    indicators: list[PublishedRow]
    generated_at: datetime.datetime

    def type_rows(self) -> list[tuple[IncidentType, list[Figure], Figure]]:
        """Return, per incident type with any incident, its count per site and its total."""
        rows = []
        for incident_type in self.types:
            code = str(incident_type.pk)
            total = self.by_type_and_site[(code, TOTAL)]
            if total.count == 0:
                continue
            cells = [self.by_type_and_site[(code, str(site.pk))] for site in self.sites]
            rows.append((incident_type, cells, total))
        return rows

    def site_totals(self) -> list[Figure]:
        return [self.by_type_and_site[(TOTAL, str(site.pk))] for site in self.sites]

    @property
    def total(self) -> Figure:
        return self.by_type_and_site[(TOTAL, TOTAL)]

    def month_rows(self) -> list[tuple[datetime.date, Figure]]:
        return [(month, self.by_month[(month.isoformat(),)]) for month in self.months]


def _months(period: Period) -> list[datetime.date]:
    months, current = [], period.first.replace(day=1)
    while current <= period.last:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


def monitoring_report(
    *, scope: FigureScope, period: Period, site_ids: list[int] | None = None
) -> MonitoringReport:
    """Return the report of the scope's sites (or some of them) over the period."""
    sites_qs = scope.sites()
    if site_ids is not None:
        sites_qs = sites_qs.filter(pk__in=site_ids)
    sites = list(sites_qs.annotate(population=sites_population()).order_by("name", "pk"))
    ids = [site.pk for site in sites]
    start, end = period.bounds()
    verified = scope.incidents().filter(
        site_id__in=ids,
        verification=Verification.VERIFIED,
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    # Reports linked as one event count once.
    once = Count(event_key(), distinct=True)
    by_type = verified.values("incident_type_id", "site_id").annotate(n=once).order_by()
    by_month = (
        verified.annotate(month=TruncMonth("occurred_at"))
        .values("month")
        .annotate(n=once)
        .order_by()
    )
    month_counts: dict[tuple[str, ...], int] = {}
    for row in by_month:
        month = row["month"]
        day = timezone.localtime(month).date() if isinstance(month, datetime.datetime) else month
        month_counts[(day.replace(day=1).isoformat(),)] = row["n"]
    rows = indicators(scope=scope, period=period, site_ids=ids)
    return MonitoringReport(
        period=period,
        sites=sites,
        population=sum(getattr(site, "population", 0) or 0 for site in sites),
        types=list(IncidentType.objects.order_by("sort_order", "code")),
        by_type_and_site=publish(
            {(str(r["incident_type_id"]), str(r["site_id"])): r["n"] for r in by_type},
            dimensions=("type", "site"),
            exact=False,
        ),
        months=_months(period),
        by_month=publish(month_counts, dimensions=("month",), exact=False),
        indicators=publish_indicators(rows, exact=False),
        generated_at=timezone.now(),
    )
