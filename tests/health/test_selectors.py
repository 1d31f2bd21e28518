"""The pipeline's figures: counted from the deliveries each person may monitor, in one query."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from protection import access
from protection.health import figures as f
from protection.health.selectors import outbox_figures, pipeline_health
from protection.health.services import heartbeat_record
from tests import factories

pytestmark = pytest.mark.django_db


def _minutes(moment: datetime.datetime | None) -> float:
    assert moment is not None
    return (timezone.now() - moment).total_seconds() / 60


def test_a_superuser_counts_the_deliveries_of_every_agency(
    outbox: Any, superuser: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        counts = outbox_figures(user=superuser, now=timezone.now())

    assert (counts.pending, counts.failed, counts.dead_24h) == (3, 1, 2)
    assert 59 < _minutes(counts.oldest_pending_at) < 61  # the other agency's, an hour old


def test_the_monitoring_token_counts_like_a_superuser(outbox: Any) -> None:
    counts = outbox_figures(user=access.MONITOR, now=timezone.now())
    assert (counts.pending, counts.failed, counts.dead_24h) == (3, 1, 2)


def test_an_agency_administrator_counts_the_agencys_own_deliveries_only(
    outbox: Any, agency_admin: Any, other_admin: Any
) -> None:
    mine = outbox_figures(user=agency_admin, now=timezone.now())
    theirs = outbox_figures(user=other_admin, now=timezone.now())

    # The dead delivery of two days ago is not among the last 24 hours'.
    assert (mine.pending, mine.failed, mine.dead_24h) == (2, 1, 1)
    assert 9 < _minutes(mine.oldest_pending_at) < 11
    assert (theirs.pending, theirs.failed, theirs.dead_24h) == (1, 0, 1)
    assert 59 < _minutes(theirs.oldest_pending_at) < 61


@pytest.mark.parametrize(
    "who",
    ["officer", "admin_without_admin_site", "inactive_superuser", "anonymous"],
)
def test_nobody_else_counts_any_delivery(outbox: Any, agency: Any, who: str) -> None:
    users = {
        "officer": lambda: factories.UserFactory.create(agency=agency, role="protection_officer"),
        "admin_without_admin_site": lambda: factories.UserFactory.create(
            agency=agency, role="admin"
        ),
        "inactive_superuser": lambda: factories.UserFactory.create(
            agency=None, is_superuser=True, is_staff=True, is_active=False
        ),
        "anonymous": lambda: None,
    }
    user = users[who]()

    counts = outbox_figures(user=user, now=timezone.now())

    assert not access.may_monitor_pipeline(user)
    assert (counts.pending, counts.failed, counts.dead_24h) == (0, 0, 0)
    assert counts.oldest_pending_at is None


def test_the_health_rates_each_figure_against_the_thresholds_in_settings(
    outbox: Any, agency_admin: Any, settings: Any, test_broker: str, django_assert_num_queries: Any
) -> None:
    settings.PIPELINE_HEALTH_LIMITS = {
        **settings.PIPELINE_HEALTH_LIMITS,
        f.OLDEST_PENDING: (300, 3600),  # 10 minutes: a warning
        f.DEAD_24H: (5, 10),  # 1: fine
        f.FAILED: (1, 2),  # 1: a warning
        f.PENDING: (1, 2),  # 2: critical
    }
    heartbeat_record(now=timezone.now() - datetime.timedelta(seconds=20))

    with django_assert_num_queries(2):  # the outbox's aggregate, the heartbeat
        health = pipeline_health(user=agency_admin)

    by_name = {figure.name: figure for figure in health.figures}
    assert [figure.name for figure in health.figures] == list(f.NAMES)
    assert by_name[f.OLDEST_PENDING].status == f.Status.WARNING
    assert by_name[f.DEAD_24H].status == f.Status.OK
    assert by_name[f.FAILED].status == f.Status.WARNING
    assert by_name[f.PENDING].status == f.Status.CRITICAL
    assert by_name[f.QUEUE_DEPTH].value == 0
    assert by_name[f.QUEUE_DEPTH].status == f.Status.OK
    beat = by_name[f.BEAT_AGE]
    assert beat.value is not None and 19 <= beat.value < 60
    assert beat.status == f.Status.OK
    # Nothing consumes the test broker: no worker answers, which is critical.
    assert (by_name[f.WORKERS].value, by_name[f.WORKERS].status) == (0, f.Status.CRITICAL)
    assert health.status == f.Status.CRITICAL
    assert health.agency == agency_admin.agency


def test_without_any_heartbeat_the_scheduler_is_critical(superuser: Any, test_broker: str) -> None:
    health = pipeline_health(user=superuser)
    beat = next(figure for figure in health.figures if figure.name == f.BEAT_AGE)
    assert (beat.value, beat.status) == (None, f.Status.CRITICAL)
    assert beat.detail == {"error": "no_heartbeat_yet"}
    assert health.agency is None


def test_a_heartbeat_recorded_twice_keeps_the_later_time() -> None:
    first = heartbeat_record(now=timezone.now() - datetime.timedelta(minutes=5))
    second = heartbeat_record()
    assert first.pk == second.pk
    assert second.beat_at > first.beat_at


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, f.Status.CRITICAL),
        (0, f.Status.OK),
        (4, f.Status.OK),
        (5, f.Status.WARNING),
        (9, f.Status.WARNING),
        (10, f.Status.CRITICAL),
    ],
)
def test_more_is_worse_from_each_threshold_on(value: float | None, expected: f.Status) -> None:
    assert f.Limits(5, 10).rate(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, f.Status.CRITICAL), (0, f.Status.CRITICAL), (1, f.Status.WARNING), (2, f.Status.OK)],
)
def test_fewer_workers_are_worse_below_each_threshold(
    value: float | None, expected: f.Status
) -> None:
    assert f.Limits(2, 1, fewer_is_worse=True).rate(value) == expected
