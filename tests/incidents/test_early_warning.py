"""Early warning on synthetic series: a site's own baseline, a Poisson tail, and a minimum count."""

import datetime
import itertools
import math
from collections.abc import Iterable
from typing import Any

import pytest
from django.utils import timezone

from incidents import tasks
from incidents.early_warning import statistics as early_warning
from incidents.early_warning.services import early_warning_scan
from incidents.models import Alert, Incident, IncidentType, PerpetratorCategory
from protection import codes
from protection.notifications.models import Delivery
from tests.incidents.conftest import make_policy, make_user

# Noon (UTC) yesterday: a fixed moment in the past of whatever day the suite runs on.
NOW = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - datetime.timedelta(
    days=1
)


def _direct_tail(observed: int, mean: float) -> float:
    """P(X >= observed) the slow, obvious way, for comparison."""
    return 1.0 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(observed))


@pytest.mark.parametrize(
    ("observed", "mean"), [(1, 0.5), (3, 1.0), (5, 4.0), (10, 2.0), (2, 7.5), (20, 12.0)]
)
def test_the_poisson_tail_agrees_with_the_textbook_formula(observed: int, mean: float) -> None:
    assert early_warning.poisson_upper_tail(observed, mean) == pytest.approx(
        _direct_tail(observed, mean), rel=1e-9, abs=1e-15
    )


def test_the_poisson_tail_far_out_stays_accurate_and_ordered() -> None:
    # 1 - CDF would round to 0 here; the direct tail sum keeps the digits.
    far = early_warning.poisson_upper_tail(40, 1.0)
    expected = math.exp(-1 - math.lgamma(41))  # the first term dominates
    assert far == pytest.approx(expected, rel=0.05)
    assert far > 0
    tails = [early_warning.poisson_upper_tail(k, 3.0) for k in range(15)]
    assert tails[0] == 1.0
    assert all(a > b for a, b in itertools.pairwise(tails))
    assert early_warning.poisson_upper_tail(1, 2.0) == pytest.approx(1 - math.exp(-2))
    assert early_warning.poisson_upper_tail(3, 0.0) == 0.0


def test_a_count_near_the_baseline_is_not_a_warning() -> None:
    result = early_warning.assess(
        window="24h",
        window_days=1,
        observed=5,
        baseline_count=224,  # four a day for eight weeks
        baseline_days=56,
        threshold=0.01,
        min_count=3,
        floor_per_day=0.07,
    )
    assert result.expected == pytest.approx(4.0)
    assert result.probability == pytest.approx(0.3711631, rel=1e-6)
    assert not result.raised


def test_a_few_incidents_in_a_quiet_site_are_a_warning_only_from_the_minimum() -> None:
    quiet: dict[str, Any] = {
        "window": "24h",
        "window_days": 1,
        "baseline_count": 4,
        "baseline_days": 56,
        "threshold": 0.01,
        "min_count": 3,
        "floor_per_day": 0.07,
    }
    two = early_warning.assess(observed=2, **quiet)
    three = early_warning.assess(observed=3, **quiet)
    assert two.probability < 0.01 and not two.raised  # improbable, but under the minimum
    assert three.raised


def test_a_site_without_history_uses_the_floor_rate() -> None:
    result = early_warning.assess(
        window="7d",
        window_days=7,
        observed=5,
        baseline_count=0,
        baseline_days=56,
        threshold=0.01,
        min_count=5,
        floor_per_day=0.5 / 7,
    )
    assert result.expected == pytest.approx(0.5)
    assert result.raised


# Synthetic series written straight to the table: the detector is under test, not reporting.


def _series(site: Any, reporter: Any, moments: Iterable[datetime.datetime], **fields: Any) -> None:
    kind = IncidentType.objects.get(code="attack")
    perpetrator = PerpetratorCategory.objects.get(code="unknown")
    Incident.objects.bulk_create(
        Incident(
            reference=codes.new_code("I"),
            incident_type=kind,
            severity=3,
            occurred_at=moment,
            reported_at=moment,
            site=site,
            perpetrator_category=perpetrator,
            source="witness",
            description="Synthetic",
            reported_by=reporter,
            reporting_agency=reporter.agency,
            **fields,
        )
        for moment in moments
    )


def _baseline(site: Any, reporter: Any, per_week: int) -> None:
    """`per_week` incidents in each of the eight weeks before the last seven days."""
    start = NOW - datetime.timedelta(days=7)
    _series(
        site,
        reporter,
        (
            start - datetime.timedelta(days=7 * week + 1, hours=n * 7)
            for week in range(8)
            for n in range(per_week)
        ),
    )


def _recent(site: Any, reporter: Any, count: int, *, within_hours: float = 20) -> None:
    _series(
        site,
        reporter,
        (
            NOW - datetime.timedelta(hours=within_hours * (n + 1) / (count + 1))
            for n in range(count)
        ),
    )


def test_the_counts_split_the_last_day_the_last_week_and_the_baseline(
    site: Any, officer: Any
) -> None:
    _baseline(site, officer, per_week=2)
    _recent(site, officer, 3)
    _series(site, officer, [NOW - datetime.timedelta(days=3)])
    _series(site, officer, [NOW - datetime.timedelta(days=200)])  # before the baseline

    (counts,) = early_warning.site_counts(now=NOW)

    assert (counts.site_id, counts.last_24h, counts.last_7d, counts.baseline) == (
        site.pk,
        3,
        4,
        16,
    )


def test_a_steady_site_raises_nothing(site: Any, officer: Any) -> None:
    _baseline(site, officer, per_week=7)
    _recent(site, officer, 2)
    _series(site, officer, (NOW - datetime.timedelta(days=d) for d in range(2, 7)))

    assert early_warning_scan(now=NOW) == []
    assert not Alert.objects.exists()


def test_a_spike_in_a_quiet_site_raises_a_warning_for_each_window_once_a_day(
    site: Any, officer: Any, supervisor: Any
) -> None:
    policy = make_policy(
        name="Early warnings", trigger="early_warning", tiers=[{"users": [supervisor]}]
    )
    _baseline(site, officer, per_week=1)
    _recent(site, officer, 6)

    raised = early_warning_scan(now=NOW)
    again = early_warning_scan(now=NOW + datetime.timedelta(hours=1))

    assert sorted(a.details["window"] for a in raised) == ["24h", "7d"]
    assert again == []
    for alert in raised:
        assert (alert.kind, alert.site, alert.policy, alert.status) == (
            "early_warning",
            site,
            policy,
            "open",
        )
        assert alert.details["observed"] == 6
        assert alert.details["probability"] < 0.01
    day = next(a for a in raised if a.details["window"] == "24h")
    assert day.details["expected"] == pytest.approx(8 / 56, abs=0.001)
    delivery = Delivery.objects.get(source_id=str(day.pk))
    assert (delivery.recipient_user, delivery.event) == (supervisor, "early_warning.raised")
    assert site.name in delivery.subject
    assert delivery.payload["early_warning"]["window"] == "24h"


def test_discredited_and_month_precision_incidents_do_not_count(site: Any, officer: Any) -> None:
    _baseline(site, officer, per_week=1)
    _recent(site, officer, 6)
    Incident.objects.filter(occurred_at__gt=NOW - datetime.timedelta(days=1)).update(
        verification="discredited"
    )
    _series(site, officer, [NOW - datetime.timedelta(hours=2)] * 6, occurred_precision="month")

    assert early_warning_scan(now=NOW) == []


def test_without_a_policy_the_site_managers_are_told_in_their_inbox(
    site: Any, officer: Any, supervisor: Any, agency_admin_user: Any
) -> None:
    make_user(agency=site.managing_agency, role="case_worker")
    _recent(site, officer, 4)

    raised = early_warning_scan(now=NOW)

    assert [a.details["window"] for a in raised] == ["24h"]  # 4 < the 7-day minimum of 5
    (alert,) = raised
    assert (alert.policy, alert.deadline_at) == (None, None)
    assert set(
        Delivery.objects.filter(source_id=str(alert.pk)).values_list("recipient_user", "channel")
    ) == {(supervisor.pk, "in_app"), (agency_admin_user.pk, "in_app")}


def test_the_beat_task_runs_the_scan(site: Any, officer: Any, settings: Any) -> None:
    settings.EARLY_WARNING_MIN_COUNT_24H = 2
    now = timezone.now()
    _series(site, officer, [now - datetime.timedelta(hours=h) for h in (1, 2)])
    assert tasks.early_warning_scan() == 1
    assert tasks.early_warning_scan() == 0
