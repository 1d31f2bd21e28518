"""Reports linked as one event count once: statistics, early warning, dashboards, the report."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from incidents.early_warning.statistics import site_counts
from incidents.events.services import incident_link
from incidents.exports import _count
from incidents.models import Incident
from incidents.reporting.services import incident_update
from protection.monitoring.indicators import Period
from protection.monitoring.report import monitoring_report
from protection.monitoring.scope import figure_scope
from protection.monitoring.situation import incidents_by_week
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

REPORTS = 7  # enough that no figure is suppressed as a small count


@pytest.fixture
def one_event_reported_twice(officer: Any, other_officer: Any, site: Any, other_agency: Any):
    """Seven verified reports at the site, two of them (one per agency) of the same attack."""
    site.operating_agencies.add(other_agency)
    now = timezone.now()
    for hours in range(1, REPORTS - 1):
        report(officer, site=site, occurred_at=now - datetime.timedelta(hours=hours))
    attack = now - datetime.timedelta(hours=2, minutes=30)
    mine = report(officer, site=site, occurred_at=attack).incident
    theirs = report(other_officer, site=site, occurred_at=attack).incident
    for incident in Incident.objects.filter(reporting_agency=officer.agency):
        incident_update(actor=officer, incident=incident, verification="verified")
    incident_update(actor=other_officer, incident=theirs, verification="verified")
    assert Incident.objects.count() == REPORTS
    incident_link(actor=officer, incident=mine, other=theirs)
    return now


def test_the_statistics_count_the_event_once(one_event_reported_twice):
    assert sum(_count(Incident.objects.all()).values()) == REPORTS - 1


def test_early_warning_counts_the_event_once(one_event_reported_twice, site):
    (counts,) = site_counts(now=one_event_reported_twice, site_ids=[site.pk])
    assert counts.last_24h == REPORTS - 1


def test_the_dashboard_and_the_report_count_the_event_once(one_event_reported_twice, officer, site):
    scope = figure_scope(officer)
    weeks = incidents_by_week(scope=scope, site_ids=[site.pk], now=one_event_reported_twice)
    # The officer's figures count what the agency may: its own five and the other agency's
    # report at its site, the attack once.
    assert weeks[-1].count.count == REPORTS - 1
    today = timezone.localdate()
    period = Period(first=today - datetime.timedelta(days=2), last=today)
    assert monitoring_report(scope=scope, period=period).total.count == REPORTS - 1


def test_unlinked_reports_count_each(officer, site):
    now = timezone.now()
    for _ in range(2):
        report(officer, site=site, occurred_at=now - datetime.timedelta(hours=1))
    assert sum(_count(Incident.objects.all()).values()) == 2
    (counts,) = site_counts(now=now, site_ids=[site.pk])
    assert counts.last_24h == 2
