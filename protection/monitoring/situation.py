"""The figures of the dashboards: each site's situation, the mission's, and an officer's work.

Every figure is grouped in the database, one query per kind of figure whatever the number of
sites, and starts from the user's figures' scope (monitoring.scope): the user's sites only,
counts suppressed for a viewer of aggregated figures.
"""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from camps.models import PopulationSnapshot, Site
from camps.selectors import sites_population
from cases.models import CaseAction, CaseStatus, Referral, ReferralStatus, RiskLevel
from cases.models.plan import OPEN_ACTION_STATUSES
from incidents.early_warning import statistics
from incidents.models import Alert, AlertStatus, DatePrecision, event_key
from protection import access
from protection.monitoring.published import (
    TOTAL,
    Figure,
    SuppressedTable,
    publish,
    small_count_threshold,
)
from protection.monitoring.scope import FigureScope

if TYPE_CHECKING:
    from protection.accounts.models import User

TREND_DAYS = 90
WEEKS_SHOWN = 9  # this week and the eight of the early-warning baseline before it
HOME_ROWS = 10


@dataclass(frozen=True)
class SiteFigures:
    """One site's situation, as the viewer may see it."""

    site: Site
    population: int
    open_cases: SuppressedTable  # by ("site", "risk")
    incidents_7d: Figure
    expected_7d: float | None
    early_warning: bool
    alerts_waiting: Figure
    referrals_overdue: Figure

    @property
    def occupancy_percent(self) -> int | None:
        capacity = self.site.capacity
        return round(100 * self.population / capacity) if capacity else None

    def cases_by_risk(self) -> list[tuple[str, str, Figure]]:
        key = str(self.site.pk)
        return [
            (value, str(label), self.open_cases[(key, value)]) for value, label in RiskLevel.choices
        ]

    @property
    def open_cases_total(self) -> Figure:
        return self.open_cases[(str(self.site.pk), TOTAL)]


@dataclass(frozen=True)
class Situation:
    """The situation of a set of sites: one row each and the totals across them."""

    sites: list[SiteFigures]
    open_cases: SuppressedTable
    incidents_7d: SuppressedTable
    alerts_waiting: SuppressedTable
    referrals_overdue: SuppressedTable
    exact: bool

    def cases_by_risk(self) -> list[tuple[str, str, Figure]]:
        return [
            (value, str(label), self.open_cases[(TOTAL, value)])
            for value, label in RiskLevel.choices
        ]

    @property
    def open_cases_total(self) -> Figure:
        return self.open_cases[(TOTAL, TOTAL)]

    @property
    def incidents_7d_total(self) -> Figure:
        return self.incidents_7d[(TOTAL,)]

    @property
    def alerts_waiting_total(self) -> Figure:
        return self.alerts_waiting[(TOTAL,)]

    @property
    def referrals_overdue_total(self) -> Figure:
        return self.referrals_overdue[(TOTAL,)]

    @property
    def population_total(self) -> int:
        return sum(row.population for row in self.sites)


def _by_site(rows: QuerySet[Any], field: str) -> dict[tuple[str, ...], int]:
    return {
        (str(row[field]),): row["n"]
        for row in rows.values(field).annotate(n=Count("pk")).order_by()
    }


def situation(
    *, scope: FigureScope, sites: QuerySet[Site] | None = None, now: datetime.datetime | None = None
) -> Situation:
    """Return the situation of the scope's sites (or of `sites`, a subset of them).

    Five queries whatever the number of sites.
    """
    now = now or timezone.now()
    chosen = list(
        (sites if sites is not None else scope.sites())
        .select_related("managing_agency")
        .annotate(population=sites_population())
        .order_by("name", "pk")
    )
    ids = [site.pk for site in chosen]
    cases = (
        scope.cases()
        .filter(primary_person__site_id__in=ids)
        .exclude(status=CaseStatus.CLOSED)
        .values("primary_person__site_id", "risk_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    open_cases = publish(
        {(str(r["primary_person__site_id"]), r["risk_level"]): r["n"] for r in cases},
        dimensions=("site", "risk"),
        exact=scope.exact,
    )
    counts = {c.site_id: c for c in statistics.site_counts(now=now, site_ids=ids)}
    incidents_7d = publish(
        {(str(pk),): c.last_7d for pk, c in counts.items()}, dimensions=("site",), exact=scope.exact
    )
    alerts = _by_site(
        scope.alerts().filter(site_id__in=ids).exclude(status=AlertStatus.ACKNOWLEDGED), "site_id"
    )
    alerts_waiting = publish(alerts, dimensions=("site",), exact=scope.exact)
    overdue = _by_site(
        scope.referrals().filter(
            case__primary_person__site_id__in=ids,
            status=ReferralStatus.PENDING,
            response_due_at__lt=now,
        ),
        "case__primary_person__site_id",
    )
    referrals_overdue = publish(overdue, dimensions=("site",), exact=scope.exact)
    rows = []
    for site in chosen:
        key = (str(site.pk),)
        site_counts = counts.get(site.pk) or statistics.SiteCounts(site.pk, 0, 0, 0)
        week = statistics.assess_site(site_counts)[1]
        rows.append(
            SiteFigures(
                site=site,
                population=site.population,
                open_cases=open_cases,
                incidents_7d=incidents_7d[key],
                expected_7d=week.expected
                if scope.exact or site_counts.baseline >= small_count_threshold()
                else None,
                early_warning=week.raised,
                alerts_waiting=alerts_waiting[key],
                referrals_overdue=referrals_overdue[key],
            )
        )
    return Situation(
        sites=rows,
        open_cases=open_cases,
        incidents_7d=incidents_7d,
        alerts_waiting=alerts_waiting,
        referrals_overdue=referrals_overdue,
        exact=scope.exact,
    )


def population_trend(
    *, site_ids: list[int], today: datetime.date
) -> list[tuple[datetime.date, int]]:
    """Return the sites' total population on each day a snapshot was taken, oldest first."""
    rows = (
        PopulationSnapshot.objects.filter(
            site_id__in=site_ids, taken_on__gt=today - datetime.timedelta(days=TREND_DAYS)
        )
        .values("taken_on")
        .annotate(people=Sum("individuals"))
        .order_by("taken_on")
    )
    return [(row["taken_on"], row["people"]) for row in rows]


@dataclass(frozen=True)
class Week:
    """Seven days ending on `last` (the current week ends now)."""

    index: int
    first: datetime.date
    last: datetime.date
    count: Figure


def incidents_by_week(
    *, scope: FigureScope, site_ids: list[int], now: datetime.datetime
) -> list[Week]:
    """Count the sites' incidents in each of the last nine rolling weeks, oldest first.

    Counted as early warning counts them (incidents.early_warning.statistics): by when they
    occurred, to the day at least.
    """
    ends = [now - datetime.timedelta(days=7 * index) for index in range(WEEKS_SHOWN)]
    rows = (
        scope.incidents()
        .filter(site_id__in=site_ids, occurred_at__gt=ends[-1] - datetime.timedelta(days=7))
        .filter(occurred_at__lte=now)
        .exclude(occurred_precision=DatePrecision.MONTH)
        .aggregate(
            **{
                f"w{index}": Count(
                    event_key(),
                    distinct=True,
                    filter=Q(
                        occurred_at__lte=end, occurred_at__gt=end - datetime.timedelta(days=7)
                    ),
                )
                for index, end in enumerate(ends)
            }
        )
    )
    table = publish(
        {(str(index),): rows[f"w{index}"] for index in range(WEEKS_SHOWN)},
        dimensions=("week",),
        exact=scope.exact,
    )
    weeks = []
    for index, end in enumerate(ends):
        last = timezone.localtime(end).date()
        weeks.append(
            Week(
                index=index,
                first=last - datetime.timedelta(days=6),
                last=last,
                count=table[(str(index),)],
            )
        )
    return list(reversed(weeks))


@dataclass(frozen=True)
class OfficerWork:
    """What waits for one officer: their alerts, overdue actions and referrals."""

    alerts: list[Alert]
    alerts_count: int
    actions: list[CaseAction]
    actions_count: int
    referrals_overdue: list[Referral]
    referrals_overdue_count: int
    referrals_waiting: list[Referral]
    referrals_waiting_count: int


def officer_work(*, user: "User", today: datetime.date, now: datetime.datetime) -> OfficerWork:
    """Return the officer's own work waiting: the lists start from the access policy."""
    alerts = (
        access.alerts_for(user)
        .exclude(status=AlertStatus.ACKNOWLEDGED)
        .select_related("site", "incident__incident_type")
        .order_by("deadline_at", "-id")
    )
    actions = (
        CaseAction.objects.filter(
            case__in=access.cases_for(user).values("pk"),
            responsible_user_id=user.pk,
            status__in=OPEN_ACTION_STATUSES,
            due_on__lt=today,
        )
        .select_related("case")
        .order_by("due_on", "pk")
    )
    overdue = (
        access.referrals_sent_for(user)
        .filter(
            Q(case__assigned_to_id=user.pk) | Q(created_by_id=user.pk),
            status=ReferralStatus.PENDING,
            response_due_at__lt=now,
        )
        .select_related("case", "service", "to_agency")
        .order_by("response_due_at", "pk")
    )
    waiting = (
        access.referrals_received_for(user)
        .filter(status=ReferralStatus.PENDING)
        .select_related("service", "from_agency")
        .order_by("response_due_at", "pk")
    )
    return OfficerWork(
        alerts=list(alerts[:HOME_ROWS]),
        alerts_count=alerts.count(),
        actions=list(actions[:HOME_ROWS]),
        actions_count=actions.count(),
        referrals_overdue=list(overdue[:HOME_ROWS]),
        referrals_overdue_count=overdue.count(),
        referrals_waiting=list(waiting[:HOME_ROWS]),
        referrals_waiting_count=waiting.count(),
    )
