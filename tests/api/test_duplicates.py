"""Duplicate detection through the API: 409 with the candidates, then confirm to register."""

import datetime

import pytest

from cases.models import DisplacedPerson, DuplicateReview, Household
from protection.models import AccessLog, AuditEvent
from tests.api.payloads import household_payload, person_payload
from tests.factories import register_household

pytestmark = pytest.mark.django_db

# A misspelling of the person tests.factories registers: Amina Mohammed, born 17 May 1990.
LOOKALIKE = person_payload(
    given_name="Aminah", family_name="Muhammad", date_of_birth="1990-06-01", specific_needs=[]
)
NEWBORN = person_payload(
    given_name="Nyakuma",
    family_name="Deng",
    relationship_to_head="child",
    date_of_birth="2024-01-10",
    specific_needs=[],
)


@pytest.fixture
def original(officer, site):
    return register_household(actor=officer, site=site).members[0]


def test_household_with_a_likely_duplicate_is_answered_409(
    officer_api, officer, site, original
) -> None:
    households, people = Household.objects.count(), DisplacedPerson.objects.count()

    response = officer_api.post(
        URL := "/api/v1/households/", household_payload(site, [LOOKALIKE, NEWBORN]), format="json"
    )

    assert URL
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "possible_duplicates"
    [member] = body["members"]
    assert member["index"] == 0
    [candidate] = member["candidates"]
    assert candidate["id"] == original.pk
    assert candidate["registration_number"] == original.registration_number
    assert (candidate["given_name"], candidate["family_name"]) == ("Amina", "Mohammed")
    assert candidate["date_of_birth"] == "1990-05-17"
    assert candidate["site_code"] == "KAK-01"
    assert candidate["score"] >= 80
    assert candidate["reasons"]
    assert (Household.objects.count(), DisplacedPerson.objects.count()) == (households, people)
    log = AccessLog.objects.get(purpose="duplicate_check")
    assert (log.user, log.object_id) == (officer, str(original.pk))


def test_confirmed_not_duplicate_registers_and_records_the_decision(
    officer_api, officer, site, original
) -> None:
    confirmed = {**LOOKALIKE, "confirm_not_duplicate": True}

    response = officer_api.post(
        "/api/v1/households/", household_payload(site, [confirmed, NEWBORN]), format="json"
    )

    assert response.status_code == 201, response.json()
    new_person = DisplacedPerson.objects.get(given_name="Aminah")
    review = DuplicateReview.objects.get(person=new_person)
    assert (review.candidate, review.decided_by, review.decision) == (
        original,
        officer,
        "not_duplicate",
    )
    assert AuditEvent.objects.filter(
        action="person.duplicate_dismissed", object_id=str(new_person.pk)
    ).exists()


def test_person_added_to_a_household_is_checked_too(officer_api, officer, site, original) -> None:
    body = {**LOOKALIKE, "relationship_to_head": "spouse", "household": original.household_id}

    conflict = officer_api.post("/api/v1/persons/", body, format="json")
    assert conflict.status_code == 409
    assert conflict.json()["members"][0]["index"] == 0
    assert not DisplacedPerson.objects.filter(given_name="Aminah").exists()

    created = officer_api.post(
        "/api/v1/persons/", {**body, "confirm_not_duplicate": True}, format="json"
    )

    assert created.status_code == 201
    assert DuplicateReview.objects.filter(
        person_id=created.json()["id"], candidate=original
    ).exists()


def test_other_agencies_people_are_not_candidates(
    officer_api, other_officer, other_site, site
) -> None:
    register_household(actor=other_officer, site=other_site)

    response = officer_api.post(
        "/api/v1/households/", household_payload(site, [LOOKALIKE]), format="json"
    )

    assert response.status_code == 201
    assert not AccessLog.objects.filter(purpose="duplicate_check").exists()


def test_confirmation_does_not_skip_validation(officer_api, site, original) -> None:
    bad = {**LOOKALIKE, "confirm_not_duplicate": True, "date_of_birth": "2999-01-01"}

    response = officer_api.post(
        "/api/v1/households/", household_payload(site, [bad]), format="json"
    )

    assert response.status_code == 400
    assert DisplacedPerson.objects.count() == 1
    assert datetime.date(1990, 5, 17) == original.date_of_birth
