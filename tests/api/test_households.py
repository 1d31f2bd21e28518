"""Households through the API: register with members, list, show, and the reads logged."""

import datetime
from typing import Any

import pytest

from cases.models import DisplacedPerson, Household, PersonSpecificNeed
from protection.models import AccessLog, AuditEvent
from tests import factories
from tests.api.payloads import household_payload, person_payload
from tests.factories import register_household

pytestmark = pytest.mark.django_db

URL = "/api/v1/households/"

CHILD = {
    "given_name": "Akol",
    "sex": "male",
    "relationship_to_head": "child",
    "date_of_birth": datetime.date(2015, 1, 1),
}


def _counts():
    return (
        Household.objects.count(),
        DisplacedPerson.objects.count(),
        PersonSpecificNeed.objects.count(),
        AuditEvent.objects.count(),
    )


def test_register_household_with_members(officer_api, officer, site) -> None:
    members = [
        person_payload(),
        person_payload(
            given_name="Akol",
            sex="male",
            relationship_to_head="child",
            date_of_birth=None,
            estimated_age=9,
            specific_needs=["SC-SC"],
        ),
    ]

    response = officer_api.post(URL, household_payload(site, members), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    household = Household.objects.get(pk=body["id"])
    assert body["code"] == household.code
    assert body["member_count"] == 2
    assert body["head"]["given_name"] == "Nyabol"
    child = household.members.get(given_name="Akol")
    assert child.date_of_birth_estimated is True
    assert list(child.specific_needs.values_list("code", flat=True)) == ["SC-SC"]
    assert [m["registration_number"] for m in body["members"]] == sorted(
        (m.registration_number for m in household.members.all()),
        key=lambda number: household.members.get(registration_number=number).pk,
    )
    actions = sorted(AuditEvent.objects.filter(actor=officer).values_list("action", flat=True))
    assert actions == ["household.register", "person.register", "person.register"]
    assert set(AuditEvent.objects.values_list("channel", flat=True)) == {"api"}


def test_member_errors_from_the_serializer_name_the_member(officer_api, site) -> None:
    before = _counts()
    members = [person_payload(), person_payload(given_name="Akol", sex="boy")]

    response = officer_api.post(URL, household_payload(site, members), format="json")

    assert response.status_code == 400
    assert set(response.json()["members"]) == {"1"}
    assert "sex" in response.json()["members"]["1"]
    assert _counts() == before


def test_member_errors_from_the_service_name_the_member(officer_api, site) -> None:
    before = _counts()
    members = [
        person_payload(),
        person_payload(given_name="Akol", relationship_to_head="child", date_of_birth="2999-01-01"),
    ]

    response = officer_api.post(URL, household_payload(site, members), format="json")

    assert response.status_code == 400
    errors = response.json()["members"]
    assert set(errors) == {"1"}
    assert "date_of_birth" in errors["1"]
    assert _counts() == before


def test_household_needs_exactly_one_head(officer_api, site) -> None:
    before = _counts()
    members = [person_payload(), person_payload(given_name="Achol")]

    response = officer_api.post(URL, household_payload(site, members), format="json")

    assert response.status_code == 400
    assert "members" in response.json()
    assert _counts() == before


def test_missing_fields_are_field_errors(officer_api, site) -> None:
    response = officer_api.post(URL, {"members": [{}]}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert "site" in body
    assert {"given_name", "family_name", "sex", "displacement_status"} <= set(body["members"]["0"])


def test_unknown_reference_codes_are_field_errors(officer_api, site) -> None:
    members = [
        person_payload(nationality="XXX", displacement_status="NOPE", specific_needs=["ZZ-ZZ"])
    ]

    response = officer_api.post(URL, household_payload(site, members), format="json")

    assert response.status_code == 400
    assert {"nationality", "displacement_status", "specific_needs"} <= set(
        response.json()["members"]["0"]
    )
    assert Household.objects.count() == 0


def test_site_of_another_agency_is_answered_as_unknown(officer_api, other_site) -> None:
    response = officer_api.post(URL, household_payload(other_site), format="json")

    assert response.status_code == 400
    assert "site" in response.json()
    assert Household.objects.count() == 0


def test_closed_site_refuses_registration(officer_api, site) -> None:
    site.status = "closed"
    site.save(update_fields=["status"])

    response = officer_api.post(URL, household_payload(site), format="json")

    assert response.status_code == 400
    assert "site" in response.json()
    assert Household.objects.count() == 0


def test_list_shows_heads_and_sizes_and_logs_the_heads(officer_api, officer, site) -> None:
    registration = register_household(actor=officer, site=site, members=[{}, CHILD])

    response = officer_api.get(URL)

    assert response.status_code == 200
    [row] = response.json()["results"]
    head = registration.members[0]
    assert row["head"]["registration_number"] == head.registration_number
    assert row["member_count"] == 2
    logged = AccessLog.objects.filter(user=officer, purpose="list", channel="api")
    assert sorted(logged.values_list("object_type", "object_id")) == [
        ("cases.displacedperson", str(head.pk)),
        ("cases.household", str(registration.household.pk)),
    ]


def test_list_filters_by_site_and_code(officer_api, officer, site, agency) -> None:
    second_site: Any = factories.SiteFactory(managing_agency=agency, code="KAK-02")
    first = register_household(actor=officer, site=site).household
    second = register_household(
        actor=officer,
        site=second_site,
        members=[
            {
                "given_name": "Joseph",
                "family_name": "Lado",
                "sex": "male",
                "date_of_birth": datetime.date(1975, 1, 1),
            }
        ],
    ).household

    by_site = officer_api.get(URL, {"site": second_site.pk}).json()["results"]
    by_code = officer_api.get(URL, {"code": first.code.lower()}).json()["results"]

    assert [row["id"] for row in by_site] == [second.pk]
    assert [row["id"] for row in by_code] == [first.pk]


def test_list_hides_other_agencies_households(officer_api, other_officer, other_site) -> None:
    register_household(actor=other_officer, site=other_site)

    assert officer_api.get(URL).json()["results"] == []


def test_retrieve_nests_members_and_logs_them(officer_api, officer, site) -> None:
    registration = register_household(actor=officer, site=site, members=[{}, CHILD])

    response = officer_api.get(f"{URL}{registration.household.pk}/")

    assert response.status_code == 200
    members = response.json()["members"]
    assert [m["id"] for m in members] == [p.pk for p in registration.members]
    assert members[1]["relationship_to_head"] == "child"
    logged = AccessLog.objects.filter(user=officer, object_type="cases.displacedperson")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        str(p.pk) for p in registration.members
    )


def test_other_agency_household_is_not_found(officer_api, other_officer, other_site) -> None:
    household = register_household(actor=other_officer, site=other_site).household

    assert officer_api.get(f"{URL}{household.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


def test_analyst_cannot_see_households_at_all(client_for, role_user) -> None:
    analyst = client_for(role_user("analyst"))

    assert analyst.get(URL).status_code == 403


def test_partner_api_reads_but_cannot_register(client_for, role_user, officer, site) -> None:
    register_household(actor=officer, site=site)
    partner = client_for(role_user("partner_api"))

    assert len(partner.get(URL).json()["results"]) == 1
    response = partner.post(
        URL, household_payload(site, [person_payload(given_name="Ajak")]), format="json"
    )
    assert response.status_code == 403
    assert Household.objects.count() == 1
