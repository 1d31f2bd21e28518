"""A person's file, its edit and its status change."""

import datetime

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson, PersonStatus
from cases.registry.services import person_editable_values
from protection import edits
from protection.models import AccessLog, AccessPurpose, AuditEvent
from tests import factories
from tests.dates import days_ago
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _head(household):
    return household.members.get(relationship_to_head="head")


def _register_many(actor, site, count):
    """Register `count` one-person households with names that do not look alike."""
    people = []
    for index in range(count):
        result = factories.register_household(
            actor=actor,
            site=site,
            members=[
                {
                    "given_name": f"Person{index:03d}x{chr(65 + index % 26)}",
                    "family_name": f"Family{chr(65 + index % 26)}{index:03d}",
                    "date_of_birth": datetime.date(1940 + index % 60, 1 + index % 12, 1),
                    "specific_needs": ["DS-PM"] if index % 2 else [],
                    "confirm_not_duplicate": True,
                }
            ],
        )
        people.extend(result.members)
    return people


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_the_record_and_logs_the_read(officer_client, officer, household):
    person = _head(household)

    response = officer_client.get(reverse("cases:person_detail", args=[person.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert person.registration_number in body
    assert household.code in body
    assert "Nyibol" in body  # the other member of the household
    assert "Registered" in body  # the history, from the audit trail
    assert AccessLog.objects.filter(
        user=officer, purpose=AccessPurpose.DETAIL, object_id=str(person.pk)
    ).exists()


def test_detail_of_another_agencys_person_is_not_found(officer_client, other_household):
    person = other_household.members.get()
    response = officer_client.get(reverse("cases:person_detail", args=[person.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(object_id=str(person.pk)).exists()


def test_detail_is_forbidden_to_an_analyst(analyst, household):
    response = signed_in(analyst).get(reverse("cases:person_detail", args=[_head(household).pk]))
    assert response.status_code == 403


def test_detail_is_open_to_partner_api_role_of_the_same_agency(partner_api, household):
    response = signed_in(partner_api).get(
        reverse("cases:person_detail", args=[_head(household).pk])
    )
    assert response.status_code == 200
    assert "Edit details" not in response.content.decode()


def test_detail_sends_anonymous_visitors_to_sign_in(client, household):
    response = client.get(reverse("cases:person_detail", args=[_head(household).pk]))
    assert response.status_code == 302


# --- edit ---------------------------------------------------------------------------------


def _edit_post(person, **overrides):
    values = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "other_names": person.other_names,
        "sex": person.sex,
        "relationship_to_head": person.relationship_to_head,
        "date_of_birth": person.date_of_birth.isoformat(),
        "nationality": "South Sudan",
        "languages": person.languages,
        "displacement_status": person.displacement_status.code,
        "origin_country": "",
        "origin_location": "",
        "displaced_on": "",
        "arrived_on": "",
        "phone": "",
        "documents": [],
        "specific_needs": [],
        "consent_date": person.consent_date.isoformat(),
        "consent_given_by": person.consent_given_by,
        "consent_scope": person.consent_scope,
        # The base the edit page signs: the values the officer opened it with.
        "edit_base": edits.base_sign(
            record=f"person:{person.pk}", values=person_editable_values(person)
        ),
    }
    values.update(overrides)
    return values


def test_edit_saves_changes_and_specific_needs_with_an_audit_event(officer_client, household):
    person = _head(household)
    url = reverse("cases:person_edit", args=[person.pk])
    assert officer_client.get(url).status_code == 200

    response = officer_client.post(
        url, _edit_post(person, phone="+211 900 000 001", specific_needs=["DS-PM", "SM-CI"])
    )

    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert person.phone == "+211 900 000 001"
    assert sorted(person.specific_needs.values_list("code", flat=True)) == ["DS-PM", "SM-CI"]
    event = AuditEvent.objects.get(action="person.update", object_id=str(person.pk))
    assert set(event.changes) == {"phone", "specific_needs"}


def test_edit_with_bad_input_shows_errors_and_writes_nothing(officer_client, household):
    person = _head(household)
    before = (AuditEvent.objects.count(), person.updated_at)

    response = officer_client.post(
        reverse("cases:person_edit", args=[person.pk]),
        _edit_post(
            person,
            given_name="",
            date_of_birth="2999-01-01",
            nationality="Atlantis",
            specific_needs=["SC-UC"],
        ),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in body
    assert "This field is required." in body
    assert "Unknown country" in body
    person.refresh_from_db()
    assert (AuditEvent.objects.count(), person.updated_at) == before
    assert person.given_name == "Muhammad"


def test_edit_refused_by_the_service_shows_its_reason(officer_client, household):
    person = _head(household)

    response = officer_client.post(
        reverse("cases:person_edit", args=[person.pk]), _edit_post(person, specific_needs=["SC-UC"])
    )

    assert "apply only to children under 18" in response.content.decode()
    assert not person.specific_needs.exists()


def test_edit_of_another_agencys_person_is_not_found(officer_client, other_household):
    person = other_household.members.get()
    url = reverse("cases:person_edit", args=[person.pk])
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, _edit_post(person, phone="1")).status_code == 404


@pytest.mark.parametrize("role", ["analyst", "partner_api"])
def test_edit_is_forbidden_to_roles_without_edit(role, agency, household):
    person = _head(household)
    client = signed_in(factories.UserFactory(agency=agency, role=role))
    url = reverse("cases:person_edit", args=[person.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, _edit_post(person, phone="1")).status_code == 403
    person.refresh_from_db()
    assert person.phone == ""


def test_edit_sends_anonymous_visitors_to_sign_in(client, household):
    response = client.get(reverse("cases:person_edit", args=[_head(household).pk]))
    assert response.status_code == 302


# --- status -------------------------------------------------------------------------------


def test_status_change_records_reason_and_date(officer_client, household):
    person = _head(household)
    url = reverse("cases:person_status", args=[person.pk])
    assert officer_client.get(url).status_code == 200

    response = officer_client.post(
        url,
        {"status": "departed", "reason": "Left for Juba", "effective_on": days_ago(3).isoformat()},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == PersonStatus.DEPARTED
    assert person.status_reason == "Left for Juba"
    assert person.status_changed_on == days_ago(3)
    assert AuditEvent.objects.filter(action="person.status_change").count() == 1
    detail = officer_client.get(person.get_absolute_url()).content.decode()
    assert "Active to Departed" in detail


def test_status_change_without_reason_or_in_the_future_writes_nothing(officer_client, household):
    person = _head(household)

    response = officer_client.post(
        reverse("cases:person_status", args=[person.pk]),
        {"status": "departed", "reason": "  ", "effective_on": "2999-01-01"},
    )

    assert response.status_code == 200
    assert "Nothing was saved." in response.content.decode()
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE
    assert not AuditEvent.objects.filter(action="person.status_change").exists()


def test_status_change_of_another_agencys_person_is_not_found(officer_client, other_household):
    person = other_household.members.get()
    response = officer_client.post(
        reverse("cases:person_status", args=[person.pk]),
        {"status": "departed", "reason": "x", "effective_on": days_ago(3).isoformat()},
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE


@pytest.mark.parametrize("role", ["analyst", "partner_api", "case_worker"])
def test_status_change_is_forbidden_to_roles_without_it(role, agency, household):
    person = _head(household)
    client = signed_in(factories.UserFactory(agency=agency, role=role))
    response = client.post(
        reverse("cases:person_status", args=[person.pk]),
        {"status": "departed", "reason": "x", "effective_on": days_ago(3).isoformat()},
    )
    assert response.status_code == 403
    assert DisplacedPerson.objects.get(pk=person.pk).status == PersonStatus.ACTIVE


def test_status_sends_anonymous_visitors_to_sign_in(client, household):
    response = client.get(reverse("cases:person_status", args=[_head(household).pk]))
    assert response.status_code == 302
