"""People through the API: list and detail (logged), add to a household, edit, change status."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import DisplacedPerson
from protection.models import AccessLog, AuditEvent
from tests.api.payloads import person_payload
from tests.factories import register_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/persons/"

CHILD = {
    "given_name": "Akol",
    "sex": "male",
    "relationship_to_head": "child",
    "date_of_birth": datetime.date(2015, 1, 1),
    "specific_needs": ["SC-SC"],
}


@pytest.fixture
def household(officer, site):
    return register_household(actor=officer, site=site, members=[{}, CHILD]).household


@pytest.fixture
def head(household):
    return household.members.get(relationship_to_head="head")


def test_list_shows_people_with_reference_codes(officer_api, household) -> None:
    response = officer_api.get(URL)

    assert response.status_code == 200
    rows = {row["given_name"]: row for row in response.json()["results"]}
    assert set(rows) == {"Amina", "Akol"}
    assert rows["Amina"]["nationality"] == "SSD"
    assert rows["Amina"]["displacement_status"] == "IDP"
    assert rows["Akol"]["specific_needs"] == ["SC-SC"]
    assert rows["Akol"]["household_code"] == household.code


def test_list_logs_every_person_on_the_page_in_one_insert(officer_api, officer, household) -> None:
    with CaptureQueriesContext(connection) as queries:
        officer_api.get(URL)

    logged = AccessLog.objects.filter(user=officer, purpose="list", channel="api")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in household.members.values_list("pk", flat=True)
    )
    inserts = [q for q in queries if q["sql"].startswith('INSERT INTO "protection_accesslog"')]
    assert len(inserts) == 1


def test_list_hides_other_agencies_people(officer_api, foreign_person) -> None:
    assert officer_api.get(URL).json()["results"] == []


def test_list_filters(officer_api, household, head) -> None:
    def names(**params):
        return [row["given_name"] for row in officer_api.get(URL, params).json()["results"]]

    assert names(sex="male") == ["Akol"]
    assert names(q="amina mohamed") == ["Amina"]
    assert names(q=head.registration_number) == ["Amina"]
    assert names(specific_need="SC") == ["Akol"]
    assert names(household=household.pk, status="active") == ["Akol", "Amina"]


def test_bad_filter_is_a_field_error(officer_api, household) -> None:
    response = officer_api.get(URL, {"status": "vanished", "site": "x"})

    assert response.status_code == 400
    assert {"status", "site"} <= set(response.json())


def test_cursor_pages_do_not_overlap(officer_api, household) -> None:
    first = officer_api.get(URL, {"page_size": 1}).json()
    second = officer_api.get(first["next"]).json()

    assert first["results"][0]["id"] > second["results"][0]["id"]
    assert second["next"] is None


def test_ordering_by_registration_number(officer_api, household) -> None:
    rows = officer_api.get(URL, {"ordering": "registration_number"}).json()["results"]

    numbers = [row["registration_number"] for row in rows]
    assert numbers == sorted(numbers)


def test_ordering_by_a_field_the_cursor_cannot_use_is_ignored(officer_api, household) -> None:
    rows = officer_api.get(URL, {"ordering": "given_name"}).json()["results"]

    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)


def test_retrieve_logs_the_read(officer_api, officer, head) -> None:
    response = officer_api.get(f"{URL}{head.pk}/")

    assert response.status_code == 200
    assert response.json()["registration_number"] == head.registration_number
    log = AccessLog.objects.get(user=officer, purpose="detail")
    assert (log.object_type, log.object_id, log.channel) == (
        "cases.displacedperson",
        str(head.pk),
        "api",
    )


def test_other_agency_person_is_not_found(officer_api, foreign_person) -> None:
    detail = f"{URL}{foreign_person.pk}/"

    assert officer_api.get(detail).status_code == 404
    assert officer_api.patch(detail, {"phone": "1"}, format="json").status_code == 404
    status_body = {"status": "departed", "reason": "Left"}
    assert officer_api.post(f"{detail}status/", status_body, format="json").status_code == 404
    assert not AccessLog.objects.exists()
    foreign_person.refresh_from_db()
    assert (foreign_person.phone, foreign_person.status) == ("", "active")


def test_add_a_person_to_a_household(officer_api, officer, household) -> None:
    body = person_payload(
        given_name="Nyakuma",
        relationship_to_head="child",
        date_of_birth="2024-01-10",
        specific_needs=[],
        household=household.pk,
    )

    response = officer_api.post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    person = DisplacedPerson.objects.get(pk=response.json()["id"])
    assert (person.household, person.site_id, person.owning_agency) == (
        household,
        household.site_id,
        officer.agency,
    )
    assert AuditEvent.objects.filter(
        action="person.register", object_id=str(person.pk), actor=officer
    ).exists()


def test_household_of_another_agency_is_answered_as_unknown(
    officer_api, other_officer, other_site
) -> None:
    foreign = register_household(actor=other_officer, site=other_site).household
    people = DisplacedPerson.objects.count()

    response = officer_api.post(
        URL, person_payload(household=foreign.pk, relationship_to_head="spouse"), format="json"
    )

    assert response.status_code == 400
    assert "household" in response.json()
    assert DisplacedPerson.objects.count() == people


def test_bad_person_is_refused_and_nothing_written(officer_api, household) -> None:
    people, events = DisplacedPerson.objects.count(), AuditEvent.objects.count()
    body = person_payload(
        household=household.pk,
        relationship_to_head="head",
        date_of_birth="2999-01-01",
        consent_date="2999-01-01",
        documents=["library_card"],
    )

    response = officer_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert "documents" in response.json()
    response = officer_api.post(URL, {**body, "documents": []}, format="json")
    assert response.status_code == 400
    assert "relationship_to_head" in response.json()
    response = officer_api.post(
        URL, {**body, "documents": [], "relationship_to_head": "spouse"}, format="json"
    )
    assert response.status_code == 400
    assert {"date_of_birth", "consent_date"} <= set(response.json())
    assert (DisplacedPerson.objects.count(), AuditEvent.objects.count()) == (people, events)


def test_person_needs_a_birth_date_or_an_age(officer_api, household) -> None:
    body = person_payload(household=household.pk, relationship_to_head="spouse", date_of_birth=None)

    response = officer_api.post(URL, body, format="json")

    assert response.status_code == 400
    assert "date_of_birth" in response.json()


def test_patch_changes_details_and_audits_them(officer_api, officer, head) -> None:
    response = officer_api.patch(
        f"{URL}{head.pk}/",
        {"phone": "+211 912 000 111", "nationality": "SDN", "specific_needs": ["WR-LC"]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["phone"], body["nationality"], body["specific_needs"]) == (
        "+211 912 000 111",
        "SDN",
        ["WR-LC"],
    )
    event = AuditEvent.objects.get(action="person.update", object_id=str(head.pk))
    assert event.actor == officer
    assert set(event.changes) == {"phone", "nationality", "specific_needs"}
    assert event.changes["specific_needs"] == [[], ["WR-LC"]]


def test_bad_patch_changes_nothing(officer_api, head) -> None:
    events = AuditEvent.objects.count()

    response = officer_api.patch(
        f"{URL}{head.pk}/",
        {"given_name": "Amira", "date_of_birth": "2999-01-01", "consent_date": "2999-01-01"},
        format="json",
    )

    assert response.status_code == 400
    assert {"date_of_birth", "consent_date"} <= set(response.json())
    head.refresh_from_db()
    assert head.given_name == "Amina"
    assert AuditEvent.objects.count() == events


def test_child_codes_are_refused_for_an_adult(officer_api, head) -> None:
    response = officer_api.patch(f"{URL}{head.pk}/", {"specific_needs": ["SC-UC"]}, format="json")

    assert response.status_code == 400
    assert "specific_needs" in response.json()
    assert not head.specific_needs.exists()


def test_status_change_is_recorded_and_audited(officer_api, officer, head) -> None:
    response = officer_api.post(
        f"{URL}{head.pk}/status/",
        {"status": "departed", "reason": "Returned to Malakal", "effective_on": "2024-07-01"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["status"] == "departed"
    head.refresh_from_db()
    assert (head.status, head.status_changed_on) == ("departed", datetime.date(2024, 7, 1))
    event = AuditEvent.objects.get(action="person.status_change")
    assert event.changes["status"] == ["active", "departed"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "active", "reason": "Still here"}, "status"),
        ({"status": "departed", "reason": "  "}, "reason"),
        ({"status": "vanished", "reason": "?"}, "status"),
        ({"status": "departed", "reason": "Left", "effective_on": "2999-01-01"}, "effective_on"),
    ],
)
def test_bad_status_change_is_refused(officer_api, head, body, field) -> None:
    response = officer_api.post(f"{URL}{head.pk}/status/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    head.refresh_from_db()
    assert head.status == "active"


def test_case_worker_cannot_change_status(client_for, role_user, head) -> None:
    case_worker = client_for(role_user("case_worker"))

    response = case_worker.post(
        f"{URL}{head.pk}/status/", {"status": "departed", "reason": "Left"}, format="json"
    )

    assert response.status_code == 403


def test_partner_api_reads_own_agency_people_but_cannot_write(client_for, role_user, head) -> None:
    partner = client_for(role_user("partner_api"))

    assert partner.get(f"{URL}{head.pk}/").status_code == 200
    assert partner.patch(f"{URL}{head.pk}/", {"phone": "1"}, format="json").status_code == 403
    head.refresh_from_db()
    assert head.phone == ""


def test_analyst_cannot_see_people(client_for, role_user, head) -> None:
    analyst = client_for(role_user("analyst"))

    assert analyst.get(URL).status_code == 403
    assert analyst.get(f"{URL}{head.pk}/").status_code == 403
    assert not AccessLog.objects.exists()
