"""A seeded world for the dashboards: one site of the agency with known figures, and another
agency's site whose records must never show.

At the agency's site (Kakuma One), seen by its officer:
- 3 people registered, one of whom found a durable solution (local integration, closing
  the fifth case), so 2 people live there; 4 open cases (critical 1, high 2, medium 1);
- 3 incidents in the last 7 days against a baseline of 8 in the 8 weeks before (1 a week);
- 1 alert waiting for the officer (the abduction reported an hour ago);
- 1 referral unanswered past its deadline; 1 action of the officer overdue.
"""

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cases.casework import closure, plan
from partners.models import Sector, Service
from tests import factories
from tests.casework.conftest import advance, make_agreement, open_case, refer
from tests.incidents.conftest import make_policy, report

WORLD = {
    "population": 2,
    "open_cases": 4,
    "critical": 1,
    "high": 2,
    "incidents_7d": 3,
    "expected_7d": 1.0,
    "alerts_waiting": 1,
    "referrals_overdue": 1,
    "actions_overdue": 1,
}


def _people(officer: Any, site: Any, count: int) -> list[Any]:
    members: list[dict[str, Any]] = [
        {
            "given_name": f"Member{index}",
            "relationship_to_head": "child",
            "confirm_not_duplicate": True,
        }
        for index in range(count)
    ]
    members[0].update(relationship_to_head="head", consent_scope="sharing")
    return list(factories.register_household(actor=officer, site=site, members=members).members)


def seed_site(
    *, officer: Any, site: Any, partner: Any, now: datetime.datetime, alerts: bool = True
) -> dict[str, Any]:
    """Seed the figures WORLD lists at `site`, through the services."""
    people = _people(officer, site, 3)
    opened = timezone.localdate(now) - datetime.timedelta(days=10)
    cases = [
        open_case(officer, people[0], risk_level="critical", opened_on=opened),
        open_case(officer, people[1], risk_level="high", opened_on=opened),
        open_case(officer, people[2], risk_level="high", opened_on=opened),
        open_case(officer, people[0], risk_level="medium", opened_on=opened),
    ]
    solved = advance(officer, open_case(officer, people[1], risk_level="low"), "follow_up")
    closure.case_close(
        actor=officer, case=solved, reason="durable_solution", durable_solution="local_integration"
    )
    service, _ = Service.objects.get_or_create(
        agency=partner, name="Legal aid desk", sector=Sector.objects.get(code="legal_aid")
    )
    make_agreement(officer.agency, partner)
    with time_machine.travel(now - datetime.timedelta(days=4), tick=False):
        referral = refer(officer, cases[0], service)  # urgent: 72 hours, so a day overdue
        cases[1] = advance(officer, cases[1], "case_plan")
        action = plan.case_action_add(
            actor=officer,
            case=cases[1],
            description="Visit the family with the community leader.",
            due_on=timezone.localdate() + datetime.timedelta(days=2),
            responsible_user=officer,
        )
    # The baseline: one incident a week in the eight weeks before the last seven days.
    for week in range(1, 9):
        report(
            officer,
            site=site,
            incident_type="looting",
            occurred_at=now - datetime.timedelta(days=7 * week + 3),
        )
    report(
        officer, site=site, incident_type="looting", occurred_at=now - datetime.timedelta(days=3)
    )
    report(
        officer, site=site, incident_type="looting", occurred_at=now - datetime.timedelta(days=2)
    )
    if alerts:
        make_policy(tiers=[{"users": [officer], "in_app": True}], types=["abduction"], sites=[site])
    alerted = report(officer, site=site, incident_type="abduction")
    return {"cases": cases, "referral": referral, "action": action, "incident": alerted.incident}


@pytest.fixture
def partner(db: None) -> Any:
    return factories.AgencyFactory(name="Legal Aid Partner", acronym="LAP")


@pytest.fixture
def world(
    agency, other_agency, site, other_site, officer, other_officer, partner
) -> dict[str, Any]:
    now = timezone.now()
    ours = seed_site(officer=officer, site=site, partner=partner, now=now)
    theirs = seed_site(
        officer=other_officer, site=other_site, partner=partner, now=now, alerts=False
    )
    return {"ours": ours, "theirs": theirs}


@pytest.fixture
def supervisor(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="supervisor", username="supervisor")


@pytest.fixture
def analyst(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="analyst", username="analyst")
