"""Same-event suggestions hold at scale: one query, narrowed by an index on the time window.

Thousands of incidents over three years in forty sites, analysed like production tables: the
plan reads the incidents table through an index range on occurred_at (per date precision), never
a sequential scan, so a million incidents cost what a few weeks of them cost.
"""

import datetime
import random
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from incidents.events.selectors import same_event_candidates, same_event_suggestions
from incidents.models import Incident, IncidentType, PerpetratorCategory
from tests.incidents.conftest import make_site, report

pytestmark = pytest.mark.django_db

ROWS = 6000


def _generate(officer: Any, sites: list[Any]) -> None:
    rng = random.Random(14)
    now = timezone.now()
    perpetrator = PerpetratorCategory.objects.order_by("pk").first()
    types = list(IncidentType.objects.filter(restricted=False).values_list("pk", flat=True))
    Incident.objects.bulk_create(
        Incident(
            reference=f"I-PLAN{index:06d}",
            incident_type_id=rng.choice(types),
            severity=rng.choice([2, 3, 4]),
            occurred_at=(occurred := now - datetime.timedelta(hours=rng.randrange(1, 24 * 1095))),
            occurred_precision=rng.choice(["exact", "exact", "exact", "day", "month"]),
            reported_at=occurred + datetime.timedelta(hours=2),
            site=rng.choice(sites),
            source="witness",
            perpetrator_category=perpetrator,
            description="Plan incident.",
            reported_by=officer,
            reporting_agency=officer.agency,
        )
        for index in range(ROWS)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE incidents_incident")


def test_suggestions_read_an_index_range_in_one_query(
    officer, agency, django_assert_max_num_queries
):
    sites = [
        make_site(
            managing_agency=agency,
            latitude=Decimal("9.5") + Decimal(n) / 10,
            longitude=Decimal("31.6"),
        )
        for n in range(40)
    ]
    _generate(officer, sites)
    incident = report(officer, site=sites[0]).incident
    candidates = same_event_candidates(user=officer, incident=incident)[:10]
    plan = candidates.explain()
    print(plan)  # The plan is the measurement: -s shows it.
    scans = [line for line in plan.splitlines() if re.search(r"on incidents_incident\b", line)]
    assert scans and not any("Seq Scan" in line for line in scans), plan
    assert "incident_precision_when_idx" in plan or "incident_site_occurred_idx" in plan, plan
    # The access policy's checks, the query and the read log.
    with django_assert_max_num_queries(6):
        same_event_suggestions(user=officer, incident=incident)
