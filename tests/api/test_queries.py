"""Query budgets: a page costs the same number of queries with 1 row or 50 (no N+1)."""

import datetime

import pytest
from django.utils import timezone

from camps.models import Country
from cases.casework import closure, plan
from partners.models import Sector, Service
from partners.services import service_create
from tests.casework.conftest import advance, make_agreement, open_case, refer
from tests.factories import AgencyFactory, UserFactory, register_household

pytestmark = pytest.mark.django_db

# Measured with token authentication: 2 for the token (knox reads it and the user's other
# tokens to expire them), 1 for the caller's agency, 1 for the page, 1 for the prefetch
# (specific needs of the people, or heads of the households), 3 for the access-log insert (the
# chain's lock and head, then the insert: protection/audit_chain.py). People: 2 more for their
# countries of nationality and origin, read by id (cases/registry/api/views.py says why).
PERSONS_PAGE_QUERIES = 10
HOUSEHOLDS_PAGE_QUERIES = 8


def _register(actor, site, households: int, members: int) -> None:
    origin = Country.objects.get(code="SDN")
    for number in range(households):
        people = [
            {
                "given_name": f"Given{number}x{member}",
                "family_name": "Family",
                "relationship_to_head": "head" if member == 0 else "child",
                "date_of_birth": datetime.date(1980 + member, 1 + number % 12, 1),
                "specific_needs": ["WR-WR"] if member == 0 else [],
                "origin_country": origin if member == 0 else None,
                "confirm_not_duplicate": True,
            }
            for member in range(members)
        ]
        register_household(actor=actor, site=site, members=people)


def test_persons_page_of_50(officer_api, officer, site, django_assert_max_num_queries) -> None:
    _register(officer, site, households=25, members=2)

    with django_assert_max_num_queries(PERSONS_PAGE_QUERIES):
        response = officer_api.get("/api/v1/persons/", {"page_size": 50})

    assert len(response.json()["results"]) == 50


def test_households_page_of_50(officer_api, officer, site, django_assert_max_num_queries) -> None:
    _register(officer, site, households=50, members=2)

    with django_assert_max_num_queries(HOUSEHOLDS_PAGE_QUERIES):
        response = officer_api.get("/api/v1/households/", {"page_size": 50})

    rows = response.json()["results"]
    assert len(rows) == 50
    assert all(row["head"] and row["member_count"] == 2 for row in rows)


# Cases, referrals and the directory (issue 3), measured the same way: 2 for the token, 1 for
# the caller's agency, 1 for the page (a case's overdue flags are subqueries of it) and, for
# the caseload and both referral lists, 1 for the access-log insert of the rows on the page
# (issue 7 added it to the referral lists; with the audit chain it is 3 queries: lock,
# chain head, insert). The receiving side's page reads the referrals
# without their cases; the directory prefetches sites served.
CASES_PAGE_QUERIES = 7
SENT_REFERRALS_PAGE_QUERIES = 7
RECEIVED_REFERRALS_PAGE_QUERIES = 7
SERVICES_PAGE_QUERIES = 5
APPROVALS_PAGE_QUERIES = 4
# A case's whole file: 3 as above, the case with its flags, a prefetch each for the linked
# people, the assessments and their specific needs, actions, follow-ups, referrals and waiting
# approvals (7), and the access-log insert of its person.
CASE_DETAIL_QUERIES = 14  # the access-log insert is 3 (chain lock, chain head, insert)


@pytest.fixture
def partner():
    return AgencyFactory(name="Health Partner", acronym="HP")


@pytest.fixture
def caseload(officer, site, partner):
    """50 cases of one person at every stage, each referred to a partner's service."""
    person = register_household(
        actor=officer, site=site, members=[{"phone": "+211 900 000 002"}]
    ).members[0]
    make_agreement(officer.agency, partner)
    service = Service.objects.create(
        agency=partner, name="Clinic", sector=Sector.objects.get(code="health")
    )
    stages = ["registered", "assessment", "case_plan", "implementation", "follow_up"]
    cases = []
    for number in range(50):
        case = advance(officer, open_case(officer, person), stages[number % 5])
        if case.status == "implementation":
            plan.follow_up_record(
                actor=officer,
                case=case,
                contact_type="phone_call",
                notes="Fine.",
                next_follow_up_on=timezone.localdate() + datetime.timedelta(days=7),
            )
        refer(officer, case, service)
        cases.append(case)
    return cases


def test_cases_page_of_50(officer_api, caseload, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(CASES_PAGE_QUERIES):
        response = officer_api.get("/api/v1/cases/", {"page_size": 50})

    rows = response.json()["results"]
    assert len(rows) == 50
    assert {row["next_follow_up_on"] is not None for row in rows} == {True, False}


def test_case_detail(officer_api, caseload, django_assert_max_num_queries) -> None:
    case = caseload[3]  # In implementation: an assessment, an action, a follow-up, a referral.

    with django_assert_max_num_queries(CASE_DETAIL_QUERIES):
        response = officer_api.get(f"/api/v1/cases/{case.pk}/")

    body = response.json()
    assert body["assessments"] and body["actions"] and body["follow_ups"] and body["referrals"]


def test_sent_referrals_page_of_50(officer_api, caseload, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(SENT_REFERRALS_PAGE_QUERIES):
        response = officer_api.get("/api/v1/referrals/sent/", {"page_size": 50})

    assert len(response.json()["results"]) == 50


def test_received_referrals_page_of_50(
    client_for, partner, caseload, django_assert_max_num_queries
) -> None:
    partner_api = client_for(UserFactory(agency=partner, role="partner_api"))

    with django_assert_max_num_queries(RECEIVED_REFERRALS_PAGE_QUERIES):
        response = partner_api.get("/api/v1/referrals/received/", {"page_size": 50})

    assert len(response.json()["results"]) == 50


def test_services_page_of_50(officer_api, agency, site, django_assert_max_num_queries) -> None:
    supervisor = UserFactory.create(agency=agency, role="supervisor")
    for number in range(50):
        service_create(
            actor=supervisor,
            name=f"Service {number}",
            sector=Sector.objects.get(code="health"),
            sites=[site] if number % 2 else [],
        )

    with django_assert_max_num_queries(SERVICES_PAGE_QUERIES):
        response = officer_api.get("/api/v1/services/", {"page_size": 50})

    assert len(response.json()["results"]) == 50


def test_approvals_page(client_for, officer, site, agency, django_assert_max_num_queries) -> None:
    person = register_household(actor=officer, site=site).members[0]
    for _ in range(10):
        case = advance(officer, open_case(officer, person, risk_level="high"), "follow_up")
        closure.case_closure_request(actor=officer, case=case, reason="needs_met")
    supervisor_api = client_for(UserFactory(agency=agency, role="supervisor"))

    with django_assert_max_num_queries(APPROVALS_PAGE_QUERIES):
        response = supervisor_api.get("/api/v1/approvals/", {"page_size": 50})

    assert len(response.json()["results"]) == 10
