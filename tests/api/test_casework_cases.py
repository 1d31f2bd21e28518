"""The cases API: the caseload and its filters, opening and changing a case, who sees what."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseAction, ProtectionCase
from protection.models import AccessLog, AuditEvent
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import advance, make_user, open_case, refer

pytestmark = pytest.mark.django_db


def _logged(user, person, purpose: str) -> bool:
    return AccessLog.objects.filter(
        user=user,
        object_type="cases.displacedperson",
        object_id=str(person.pk),
        purpose=purpose,
    ).exists()


def test_the_caseload_lists_cases_with_their_flags_and_logs_the_people(
    worker, worker_api, case, person
) -> None:
    advance(worker, case, "implementation")
    CaseAction.objects.filter(case=case).update(
        due_on=timezone.localdate() - datetime.timedelta(days=2)
    )

    response = worker_api.get("/api/v1/cases/")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["case_number"] == case.case_number
    assert row["primary_person"] == {
        "id": person.pk,
        "registration_number": person.registration_number,
        "full_name": person.full_name,
    }
    assert row["status"] == "implementation"
    assert row["assigned_to"] == worker.pk
    assert row["overdue_actions"] == 1
    assert row["follow_up_overdue"] is False
    assert _logged(worker, person, "list")


def test_the_caseload_filters(worker, worker_api, colleague, person, case) -> None:
    high = open_case(worker, person, risk_level="high", case_type="legal_assistance")
    theirs = open_case(colleague, person)
    advance(worker, high, "assessment")

    def numbers(**params) -> set[str]:
        response = worker_api.get("/api/v1/cases/", params)
        assert response.status_code == 200
        return {row["case_number"] for row in response.json()["results"]}

    assert numbers() == {case.case_number, high.case_number, theirs.case_number}
    assert numbers(risk_level="high") == {high.case_number}
    assert numbers(status="assessment") == {high.case_number}
    assert numbers(status=["registered", "assessment"]) == numbers()
    assert numbers(mine="true") == {case.case_number, high.case_number}
    assert numbers(q=theirs.case_number) == {theirs.case_number}
    assert numbers(case_type="legal_assistance") == {high.case_number}
    assert numbers(overdue_actions="true") == set()


def test_a_bad_filter_answers_400(worker_api, case) -> None:
    response = worker_api.get("/api/v1/cases/", {"risk_level": "extreme"})

    assert response.status_code == 400
    assert "risk_level" in response.json()


def test_the_caseload_pages_with_a_cursor(worker, worker_api, person) -> None:
    opened = [open_case(worker, person) for _ in range(3)]

    first = worker_api.get("/api/v1/cases/", {"page_size": 2}).json()
    second = worker_api.get(first["next"]).json()

    seen = [row["id"] for row in first["results"] + second["results"]]
    assert seen == sorted((c.pk for c in opened), reverse=True)
    assert second["next"] is None


def test_a_case_file_is_shown_and_its_read_logged(
    worker, worker_api, supervisor, case, person, household
) -> None:
    child = household.members[1]
    worker_api.patch(f"/api/v1/cases/{case.pk}/", {"linked_persons": [child.pk]}, format="json")

    response = worker_api.get(f"/api/v1/cases/{case.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["summary"] == "Threatened by a neighbour."
    assert [p["id"] for p in body["linked_persons"]] == [child.pk]
    assert body["assessments"] == body["actions"] == body["referrals"] == []
    assert _logged(worker, person, "detail")
    assert _logged(worker, child, "list")


def test_open_a_case(worker, worker_api, person) -> None:
    response = worker_api.post(
        "/api/v1/cases/",
        {"person": person.pk, "case_type": "child_protection", "risk_level": "high"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "registered"
    assert body["confidential"] is True  # Child protection is confidential by default.
    assert body["assigned_to"] == worker.pk
    case = ProtectionCase.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"case_type": "curse", "risk_level": "high"}, "case_type"),
        ({"case_type": "gbv", "risk_level": "high", "confidential": False}, "confidential"),
        ({"case_type": "gbv", "risk_level": "urgent"}, "risk_level"),
        ({"case_type": "gbv"}, "risk_level"),
        ({"case_type": "gbv", "risk_level": "high", "opened_on": "2999-01-01"}, "opened_on"),
    ],
)
def test_open_a_case_with_bad_input(worker_api, person, payload, field) -> None:
    response = worker_api.post("/api/v1/cases/", {"person": person.pk, **payload}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not ProtectionCase.objects.exists()


def test_a_case_cannot_be_assigned_outside_the_agency(
    worker_api, person, other_officer, agency
) -> None:
    analyst = make_user(agency, "analyst", "analyst")
    payload = {"person": person.pk, "case_type": "gbv", "risk_level": "low"}

    other = worker_api.post(
        "/api/v1/cases/", {**payload, "assigned_to": other_officer.pk}, format="json"
    )
    not_casework = worker_api.post(
        "/api/v1/cases/", {**payload, "assigned_to": analyst.pk}, format="json"
    )

    assert other.status_code == not_casework.status_code == 400
    assert "Invalid pk" in other.json()["assigned_to"][0]
    assert "case worker" in not_casework.json()["assigned_to"][0]
    assert not ProtectionCase.objects.exists()


def test_another_agencys_person_is_answered_as_unknown(client_for, other_officer, person) -> None:
    response = client_for(other_officer).post(
        "/api/v1/cases/",
        {"person": person.pk, "case_type": "gbv", "risk_level": "high"},
        format="json",
    )

    assert response.status_code == 400
    assert "Invalid pk" in response.json()["person"][0]
    assert not ProtectionCase.objects.exists()


def test_change_a_case(worker_api, supervisor_api, case) -> None:
    changed = worker_api.patch(
        f"/api/v1/cases/{case.pk}/",
        {"risk_level": "high", "confidential": True},
        format="json",
    )
    refused = worker_api.patch(f"/api/v1/cases/{case.pk}/", {"confidential": False}, format="json")
    lifted = supervisor_api.patch(
        f"/api/v1/cases/{case.pk}/", {"confidential": False}, format="json"
    )

    assert changed.status_code == 200
    assert changed.json()["risk_level"] == "high"
    assert refused.status_code == 400
    assert "supervisor" in refused.json()["confidential"][0]
    assert lifted.status_code == 200
    assert lifted.json()["confidential"] is False


def test_bad_change_writes_nothing(worker_api, case) -> None:
    response = worker_api.patch(
        f"/api/v1/cases/{case.pk}/", {"risk_level": "apocalyptic", "summary": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "risk_level" in response.json()
    case.refresh_from_db()
    assert (case.risk_level, case.summary) == ("medium", "Threatened by a neighbour.")


def test_another_agency_gets_404(client_for, other_officer, case) -> None:
    api = client_for(other_officer)

    assert api.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/cases/{case.pk}/", {"summary": "x"}, format="json").status_code == 404
    )
    assert api.get(f"/api/v1/cases/{case.pk}/timeline/").status_code == 404
    assert api.get("/api/v1/cases/").json()["results"] == []


# The confidentiality matrix over the API. Admins, analysts and partner systems have no
# casework role (403 whatever the case); the others see a case, or get 404.
VIEWERS = [
    "worker",
    "supervisor",
    "colleague",
    "officer",
    "other_officer",
    "partner_worker",
    "partner_api",
    "admin",
    "analyst",
]
NO_CASEWORK = {"partner_api", "admin", "analyst"}
CONFIDENTIAL_VISIBLE = {"worker", "supervisor"}
OPEN_VISIBLE = {"worker", "supervisor", "colleague", "officer"}


@pytest.fixture
def viewers(worker, supervisor, colleague, officer, other_officer, partner, partner_user, agency):
    return {
        "worker": worker,
        "supervisor": supervisor,
        "colleague": colleague,
        "officer": officer,
        "other_officer": other_officer,
        "partner_worker": make_user(partner, "case_worker", "partner_worker"),
        "partner_api": partner_user,
        "admin": make_user(agency, "admin", "agency_admin"),
        "analyst": make_user(agency, "analyst", "agency_analyst"),
    }


@pytest.fixture
def referred_cases(worker, person, service, agreement):
    """A confidential GBV case and an open general case, both referred to the partner."""
    confidential = open_case(worker, person, case_type="gbv", risk_level="high")
    general = open_case(worker, person)
    return {
        "confidential": (confidential, refer(worker, confidential, service)),
        "general": (general, refer(worker, general, service)),
    }


@pytest.mark.parametrize("kind", ["confidential", "general"])
@pytest.mark.parametrize("who", VIEWERS)
def test_the_confidentiality_matrix(client_for, viewers, referred_cases, kind, who) -> None:
    api = client_for(viewers[who])
    case, referral = referred_cases[kind]
    visible = who in (CONFIDENTIAL_VISIBLE if kind == "confidential" else OPEN_VISIBLE)
    expected = 403 if who in NO_CASEWORK else (200 if visible else 404)

    detail = api.get(f"/api/v1/cases/{case.pk}/")
    timeline = api.get(f"/api/v1/cases/{case.pk}/timeline/")
    sent = api.get(f"/api/v1/referrals/sent/{referral.pk}/")
    note = api.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Peeking."}, format="json")
    listing = api.get("/api/v1/cases/")
    inbox = api.get("/api/v1/referrals/received/")

    assert (detail.status_code, timeline.status_code, sent.status_code) == (expected,) * 3
    assert note.status_code == (201 if expected == 200 else expected)
    if who in NO_CASEWORK:
        assert listing.status_code == 403
    else:
        listed = {row["id"] for row in listing.json()["results"]}
        assert (case.pk in listed) is visible
    # Only the receiving agency has the referral, and only in its inbox.
    received = {row["id"] for row in inbox.json()["results"]} if inbox.status_code == 200 else set()
    assert (referral.pk in received) is (who in {"partner_worker", "partner_api"})
