"""The permission matrix: every role against every endpoint and method, with its status.

403 means the role may never do this; 404 would mean the record is out of the caller's scope
(tested per endpoint); 405 means no such method. Writes come after the reads and logout last,
since it revokes the token the row uses.
"""

import base64
import datetime
import io
import json
from typing import Any

import pytest
from django.utils import timezone

from cases.casework import closure, referral_answers
from cases.registry.identifiers import IdentifierData, person_identifier_add
from cases.registry.photo import person_photo_set
from partners.models import DataCategory, Sector, Service, SharingPurpose
from protection.accounts.models import Role
from tests import factories
from tests.api.conftest import SchemaCheckedClient
from tests.api.payloads import household_payload, person_payload
from tests.casework.conftest import advance, make_agreement, open_case, refer
from tests.factories import register_household
from tests.imports.files import HELD_ROW, csv_bytes, good_rows, held_import, validated_import

pytestmark = pytest.mark.django_db

# A small JPEG (a grey square) for the person's photo.
_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwc"
    "KDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAA"
    "AAAAAAAAAAD/2gAIAQEAAD8AKp//2Q=="
)

COLUMNS = [*Role.values, "superuser_without_agency", "anonymous"]

# Cases, referrals and the directory (issue 3), by what the role may do. Casework is for the
# supervisor, protection officer and case worker; approvals for the supervisor; the received
# referrals also for a partner's system; the directory is read by every role.
CASES_READ = (403, 200, 200, 200, 403, 403, 403, 401)
CASES_CHANGE = CASES_READ
CASES_ADD = (403, 201, 201, 201, 403, 403, 403, 401)
SUPERVISE = (403, 200, 403, 403, 403, 403, 403, 401)
RECEIVED = (403, 200, 200, 200, 200, 403, 403, 401)
DIRECTORY = (200, 200, 200, 200, 200, 200, 403, 401)
NO_SUCH_METHOD = (405, 405, 405, 405, 405, 405, 405, 401)

CASEWORK_MATRIX: list[tuple[str, str, tuple[int, ...]]] = [
    ("GET", "cases/", CASES_READ),
    ("GET", "cases/{case}/", CASES_READ),
    ("GET", "cases/{case}/timeline/", CASES_READ),
    ("GET", "cases/{case}/assessments/", CASES_READ),
    ("GET", "cases/{case}/actions/", CASES_READ),
    ("GET", "cases/{case}/follow-ups/", CASES_READ),
    ("GET", "cases/{case}/notes/", CASES_READ),
    ("GET", "case-actions/{action}/", CASES_READ),
    ("GET", "approvals/", SUPERVISE),
    ("GET", "approvals/{approval}/", SUPERVISE),
    ("GET", "referrals/sent/", CASES_READ),
    ("GET", "referrals/sent/{referral}/", CASES_READ),
    ("GET", "referrals/received/", RECEIVED),
    ("GET", "referrals/received/{referral}/", RECEIVED),
    # This referral did not share the photo: not found for the roles that read the inbox.
    ("GET", "referrals/received/{referral}/photo/", (403, 404, 404, 404, 404, 403, 403, 401)),
    ("GET", "services/", DIRECTORY),
    ("GET", "services/{service}/", DIRECTORY),
    ("GET", "agreements/", DIRECTORY),
    ("GET", "agreements/{agreement}/", DIRECTORY),
    ("POST", "cases/", CASES_ADD),
    ("PATCH", "cases/{case}/", CASES_CHANGE),
    ("PUT", "cases/{case}/", NO_SUCH_METHOD),
    ("DELETE", "cases/{case}/", NO_SUCH_METHOD),
    ("POST", "cases/{registered_case}/transition/", CASES_CHANGE),
    ("POST", "cases/{case}/assessments/", CASES_ADD),
    ("POST", "cases/{case}/actions/", CASES_ADD),
    ("POST", "cases/{case}/follow-ups/", CASES_ADD),
    ("POST", "cases/{case}/notes/", CASES_ADD),
    ("PATCH", "case-actions/{action}/", CASES_CHANGE),
    ("DELETE", "case-actions/{action}/", NO_SUCH_METHOD),
    ("POST", "cases/{follow_up_case}/close/", CASES_CHANGE),
    ("POST", "cases/{high_risk_case}/closure-request/", CASES_ADD),
    ("POST", "cases/{closed_case}/reopen/", CASES_CHANGE),
    ("POST", "approvals/{approval}/approve/", SUPERVISE),
    ("POST", "approvals/{other_approval}/reject/", SUPERVISE),
    ("POST", "referrals/sent/", CASES_ADD),
    ("POST", "referrals/sent/{referral_to_cancel}/cancel/", CASES_CHANGE),
    ("POST", "referrals/received/{referral_to_accept}/accept/", RECEIVED),
    ("POST", "referrals/received/{referral_to_decline}/decline/", RECEIVED),
    ("POST", "referrals/received/{referral_to_complete}/complete/", RECEIVED),
    ("PATCH", "referrals/received/{referral}/", NO_SUCH_METHOD),
    ("POST", "services/", (201, 201, 403, 403, 403, 403, 403, 401)),
    ("PATCH", "services/{service}/", (200, 200, 403, 403, 403, 403, 403, 401)),
    ("POST", "agreements/", NO_SUCH_METHOD),
    ("POST", "cases/{case}/reassign/", SUPERVISE),
    ("POST", "cases/{transfer_case}/transfer/", SUPERVISE),
]

# (method, endpoint) -> status per column, in the order of COLUMNS:
# admin, supervisor, protection_officer, case_worker, partner_api, analyst, superuser, anonymous
MATRIX: list[tuple[str, str, tuple[int, ...]]] = [
    ("GET", "auth/me/", (200, 200, 200, 200, 200, 200, 200, 401)),
    ("GET", "agencies/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "agencies/{agency}/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("POST", "agencies/", (405, 405, 405, 405, 405, 405, 405, 401)),
    ("GET", "camps/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "camps/{site}/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("POST", "camps/", (201, 403, 403, 403, 403, 403, 403, 401)),
    ("PATCH", "camps/{site}/", (200, 403, 403, 403, 403, 403, 403, 401)),
    ("DELETE", "camps/{site}/", (405, 405, 405, 405, 405, 405, 405, 401)),
    ("GET", "households/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("GET", "households/{household}/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("POST", "households/", (201, 201, 201, 201, 403, 403, 403, 401)),
    # Bulk import, for a partner's system too (a JSON upload: the file in base64).
    ("GET", "registry-imports/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("GET", "registry-imports/{registry_import}/", (200, 200, 200, 200, 200, 403, 403, 401)),
    (
        "GET",
        "registry-imports/{registry_import}/report/",
        (200, 200, 200, 200, 200, 403, 403, 401),
    ),
    ("POST", "registry-imports/", (201, 201, 201, 201, 201, 403, 403, 401)),
    (
        "POST",
        "registry-imports/{registry_import}/commit/",
        (200, 200, 200, 200, 200, 403, 403, 401),
    ),
    # A row held as a possible duplicate: an officer of the agency registers or discards it.
    (
        "POST",
        "registry-imports/{held_import}/rows/{held_row}/release/",
        (200, 200, 200, 200, 403, 403, 403, 401),
    ),
    (
        "POST",
        "registry-imports/{discard_import}/rows/{held_row}/discard/",
        (200, 200, 200, 200, 403, 403, 403, 401),
    ),
    ("PATCH", "households/{household}/", (405, 405, 405, 405, 405, 405, 405, 401)),
    ("GET", "persons/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("GET", "persons/{person}/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("POST", "persons/", (201, 201, 201, 201, 403, 403, 403, 401)),
    ("PATCH", "persons/{person}/", (200, 200, 200, 200, 403, 403, 403, 401)),
    ("PUT", "persons/{person}/", (405, 405, 405, 405, 405, 405, 405, 401)),
    ("DELETE", "persons/{person}/", (405, 405, 405, 405, 405, 405, 405, 401)),
    ("POST", "persons/{person}/status/", (200, 200, 200, 403, 403, 403, 403, 401)),
    # Language and communication needs: read with the person, replaced by who edits people.
    ("GET", "persons/{person}/language-needs/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("PUT", "persons/{person}/language-needs/", (200, 200, 200, 200, 403, 403, 403, 401)),
    # Identity documents and biometric references: read with the person, changed by editors.
    ("GET", "persons/{person}/identifiers/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("POST", "persons/{person}/identifiers/", (201, 201, 201, 201, 403, 403, 403, 401)),
    (
        "DELETE",
        "persons/{person}/identifiers/{identifier}/",
        (204, 204, 204, 204, 403, 403, 403, 401),
    ),
    # The photo: read with the person (bytes, logged, no-store); an upload that is not a
    # multipart file is refused with a field error (400) by the roles that edit people.
    ("GET", "persons/{person}/photo/", (200, 200, 200, 200, 200, 403, 403, 401)),
    ("PUT", "persons/{person}/photo/", (400, 400, 400, 400, 403, 403, 403, 401)),
    ("DELETE", "persons/{person}/photo/", (204, 204, 204, 204, 403, 403, 403, 401)),
    # Without the purpose it requires: 400 for the roles that answer subject requests
    # (tests/api/test_subject_report.py opens it with one).
    ("GET", "persons/{person}/subject-report/", (403, 400, 400, 403, 403, 403, 403, 401)),
    ("GET", "indicators/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "who-does-what-where/", (200, 200, 200, 200, 200, 200, 403, 401)),
    *CASEWORK_MATRIX,
    # Figures, small counts suppressed: every role of an agency (analysts included).
    ("GET", "statistics/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("GET", "statistics/{statistic}/", (200, 200, 200, 200, 200, 200, 403, 401)),
    ("POST", "auth/logoutall/", (204, 204, 204, 204, 204, 204, 204, 401)),
]

BODIES: dict[tuple[str, str], Any] = {
    ("POST", "camps/"): {
        "name": "Malakal Three",
        "code": "MAL-03",
        "site_type": "poc_site",
        "country": "SSD",
        "capacity": 500,
    },
    ("PATCH", "camps/{site}/"): {"capacity": 1200},
    ("PATCH", "households/{household}/"): {"address": "Block D"},
    ("PATCH", "persons/{person}/"): {"phone": "+211 900 000 000"},
    ("PUT", "persons/{person}/"): {"phone": "+211 900 000 000"},
    ("POST", "persons/{person}/status/"): {"status": "departed", "reason": "Moved to Juba"},
    ("PUT", "persons/{person}/language-needs/"): {"languages": ["ar"], "literacy": "basic"},
    ("POST", "persons/{person}/identifiers/"): {
        "kind": "document",
        "scheme": "passport",
        "number": "P 0042 117",
        "issuing_country": "SSD",
    },
    ("PATCH", "cases/{case}/"): {"summary": "Threats stopped after mediation."},
    ("POST", "cases/{registered_case}/transition/"): {"status": "assessment"},
    ("POST", "cases/{case}/assessments/"): {"risks_identified": "Threats at the water point."},
    ("POST", "cases/{case}/follow-ups/"): {"contact_type": "home_visit", "notes": "Calmer."},
    ("POST", "cases/{case}/notes/"): {"text": "Met her sister."},
    ("PATCH", "case-actions/{action}/"): {"status": "in_progress"},
    ("POST", "cases/{follow_up_case}/close/"): {"reason": "needs_met"},
    ("POST", "cases/{high_risk_case}/closure-request/"): {"reason": "needs_met"},
    ("POST", "cases/{closed_case}/reopen/"): {"reason": "Threats again."},
    ("POST", "approvals/{other_approval}/reject/"): {"reason": "Too early."},
    ("POST", "referrals/sent/{referral_to_cancel}/cancel/"): {"reason": "Went herself."},
    ("POST", "referrals/received/{referral_to_decline}/decline/"): {"reason": "Full."},
    ("POST", "referrals/received/{referral_to_complete}/complete/"): {"outcome": "Treated."},
    ("POST", "services/"): {"name": "Legal counselling", "sector": "legal_aid"},
    ("PATCH", "services/{service}/"): {"contact_phone": "+211 900 000 009"},
}


def casework_world(agency: Any, other_agency: Any, site: Any, officer: Any) -> dict[str, Any]:
    """Cases at every stage the rows act on, approvals, referrals and a service, all of the
    agency (the referrals go to its own service, so its staff are also the receiving side)."""
    person = register_household(
        actor=officer,
        site=site,
        members=[
            {
                "given_name": "Achol",
                "family_name": "Garang",
                "date_of_birth": datetime.date(1979, 8, 30),
                "consent_scope": "sharing",
            }
        ],
    ).members[0]
    worker: Any = factories.UserFactory(agency=agency, role="case_worker", username="world_worker")
    service = Service.objects.create(
        agency=agency, name="Psychosocial support", sector=Sector.objects.get(code="psychosocial")
    )
    agreement = make_agreement(
        agency,
        other_agency,
        purposes=[SharingPurpose.CASE_TRANSFER],
        data_categories=list(DataCategory.values),
    )

    def case_at(status: str, **values: Any) -> Any:
        return advance(officer, open_case(officer, person, **values), status)

    case = case_at("implementation")
    closed = case_at("follow_up")
    closure.case_close(actor=officer, case=closed, reason="needs_met")
    approvals = []
    for _ in range(2):
        high = case_at("follow_up", risk_level="high")
        approvals.append(closure.case_closure_request(actor=officer, case=high, reason="needs_met"))
    to_complete = refer(officer, case_at("registered"), service)
    referral_answers.referral_accept(actor=officer, referral=to_complete)
    return {
        "case": case.pk,
        "action": case.actions.get().pk,
        "registered_case": case_at("registered").pk,
        "follow_up_case": case_at("follow_up").pk,
        "high_risk_case": case_at("follow_up", risk_level="high").pk,
        "closed_case": closed.pk,
        "transfer_case": case_at("registered").pk,
        "approval": approvals[0].pk,
        "other_approval": approvals[1].pk,
        "referral": refer(officer, case, service).pk,
        "referral_to_cancel": refer(officer, case_at("registered"), service).pk,
        "referral_to_accept": refer(officer, case_at("registered"), service).pk,
        "referral_to_decline": refer(officer, case_at("registered"), service).pk,
        "referral_to_complete": to_complete.pk,
        "service": service.pk,
        "agreement": agreement.pk,
        "payloads": {
            ("POST", "cases/"): {
                "person": person.pk,
                "case_type": "general_protection",
                "risk_level": "low",
            },
            ("POST", "cases/{case}/actions/"): {
                "description": "Accompany to the legal aid desk.",
                "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
                "responsible_user": worker.pk,
            },
            ("POST", "referrals/sent/"): {
                "case": case_at("registered").pk,
                "service": service.pk,
                "reason": "Support after the attack.",
                "urgency": "routine",
                "shared_fields": ["full_name"],
                "consent_basis": "consent",
                "consent_given_by": "person",
                "consent_date": timezone.localdate().isoformat(),
                "consent_scope": ["full_name"],
            },
            ("POST", "cases/{case}/reassign/"): {
                "assigned_to": worker.pk,
                "reason": "Officer on leave.",
            },
            ("POST", "cases/{transfer_case}/transfer/"): {
                "agency": other_agency.pk,
                "reason": "The family moved.",
            },
        },
    }


@pytest.fixture
def world(agency, other_agency, site, officer):
    casework = casework_world(agency, other_agency, site, officer)
    registration = register_household(
        actor=officer,
        site=site,
        members=[
            {},
            {
                "given_name": "Akol",
                "sex": "male",
                "relationship_to_head": "child",
                "date_of_birth": datetime.date(2015, 1, 1),
            },
        ],
    )
    return {
        **casework,
        "agency": agency.pk,
        "site": site.pk,
        "statistic": "population",
        "household": registration.household.pk,
        "registry_import": validated_import(officer=officer, site=site).pk,
        "held_import": held_import(officer=officer, site=site, register=False).pk,
        "discard_import": held_import(officer=officer, site=site, register=False).pk,
        "held_row": HELD_ROW,
        "person": registration.members[0].pk,
        "identifier": person_identifier_add(
            actor=officer,
            person=registration.members[0],
            data=IdentifierData(kind="biometric", scheme="BIMS", number="BIO-77-0001"),
        ).pk,
        "photo": person_photo_set(
            actor=officer, person=registration.members[0], upload=io.BytesIO(_JPEG)
        ).pk,
        "payloads": {
            **casework["payloads"],
            ("POST", "households/"): household_payload(
                site,
                [
                    person_payload(
                        given_name="Joseph",
                        family_name="Lado",
                        sex="male",
                        date_of_birth="1975-01-01",
                        specific_needs=[],
                    )
                ],
            ),
            ("POST", "registry-imports/{discard_import}/rows/{held_row}/discard/"): {
                "reason": "The same family, registered last week.",
            },
            ("POST", "registry-imports/"): {
                "site": site.pk,
                "file_name": "arrivals.csv",
                "content": base64.b64encode(csv_bytes(good_rows())).decode(),
            },
            ("POST", "persons/"): person_payload(
                given_name="Nyakuma",
                family_name="Deng",
                relationship_to_head="child",
                date_of_birth="2024-01-10",
                specific_needs=[],
                household=registration.household.pk,
            ),
        },
    }


def _client(column: str, agency: Any) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    if column == "anonymous":
        return client
    if column == "superuser_without_agency":
        user = factories.UserFactory(agency=None, is_superuser=True, is_staff=True, role="admin")
    else:
        user = factories.UserFactory(agency=agency, role=column)
    client.login_with_token(user)
    return client


@pytest.mark.parametrize("column", COLUMNS)
def test_permission_matrix(column, world, agency) -> None:
    client = _client(column, agency)
    index = COLUMNS.index(column)
    expected, actual = {}, {}
    for method, endpoint, statuses in MATRIX:
        path = "/api/v1/" + endpoint.format(**world)
        body = world["payloads"].get((method, endpoint), BODIES.get((method, endpoint)))
        data = "" if body is None else json.dumps(body)
        response = client.generic(method, path, data=data, content_type="application/json")
        expected[f"{method} {endpoint}"] = statuses[index]
        actual[f"{method} {endpoint}"] = response.status_code

    assert actual == expected
