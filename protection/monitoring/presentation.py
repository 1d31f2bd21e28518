"""The indicators as a viewer may see them: counts suppressed for aggregated-only viewers.

A median, a percentile or a share is shown only where the counts it comes from are: a
median of two acknowledgements tells the time of each.
"""

import datetime
from dataclasses import dataclass

from cases.models import DurableSolution
from protection.monitoring.indicators import IndicatorRow
from protection.monitoring.published import TOTAL, Figure, SuppressedTable, publish

COUNTS = (
    "incidents_acknowledged",
    "alerts_due",
    "alerts_on_time",
    "referrals_due",
    "referrals_on_time",
    "cases_assessed",
)


@dataclass(frozen=True)
class PublishedRow:
    """One site and month of indicators, as the viewer may see them."""

    site_id: int
    site_code: str
    site_name: str
    month: datetime.date
    incidents_acknowledged: Figure
    acknowledgement_median_minutes: float | None
    acknowledgement_p90_minutes: float | None
    alerts_due: Figure
    alerts_on_time: Figure
    alerts_on_time_percent: float | None
    referrals_due: Figure
    referrals_on_time: Figure
    referrals_on_time_percent: float | None
    cases_assessed: Figure
    assessment_median_days: float | None
    assessment_p90_days: float | None
    durable_solutions: list[tuple[str, str, Figure]]
    durable_solutions_total: Figure


def _percent(part: Figure, whole: Figure) -> float | None:
    if part.count is None or whole.count is None or not whole.count:
        return None
    return round(100 * part.count / whole.count, 1)


def _shown(value: float | None, basis: Figure) -> float | None:
    return None if value is None or basis.count is None else round(value, 1)


def publish_indicators(rows: list[IndicatorRow], *, exact: bool) -> list[PublishedRow]:
    """Return the rows with every count published for the viewer (suppressed unless exact)."""

    def key(row: IndicatorRow) -> tuple[str, str]:
        return (str(row.site_id), row.month.isoformat())

    tables: dict[str, SuppressedTable] = {
        name: publish(
            {key(row): getattr(row, name) for row in rows},
            dimensions=("site", "month"),
            exact=exact,
        )
        for name in COUNTS
    }
    solutions = publish(
        {
            (*key(row), solution): count
            for row in rows
            for solution, count in row.durable_solutions.items()
        },
        dimensions=("site", "month", "solution"),
        exact=exact,
    )
    published = []
    for row in rows:
        figures = {name: tables[name][key(row)] for name in COUNTS}
        published.append(
            PublishedRow(
                site_id=row.site_id,
                site_code=row.site_code,
                site_name=row.site_name,
                month=row.month,
                acknowledgement_median_minutes=_shown(
                    row.acknowledgement_median_minutes, figures["incidents_acknowledged"]
                ),
                acknowledgement_p90_minutes=_shown(
                    row.acknowledgement_p90_minutes, figures["incidents_acknowledged"]
                ),
                alerts_on_time_percent=_percent(figures["alerts_on_time"], figures["alerts_due"]),
                referrals_on_time_percent=_percent(
                    figures["referrals_on_time"], figures["referrals_due"]
                ),
                assessment_median_days=_shown(
                    row.assessment_median_days, figures["cases_assessed"]
                ),
                assessment_p90_days=_shown(row.assessment_p90_days, figures["cases_assessed"]),
                durable_solutions=[
                    (value, str(label), solutions[(*key(row), value)])
                    for value, label in DurableSolution.choices
                ],
                durable_solutions_total=solutions[(*key(row), TOTAL)],
                **figures,
            )
        )
    return published
