"""A person's documents and biometric references on the pages: add, show, remove, search."""

import pytest
from django.urls import reverse

from camps.models import Country
from cases.models import PersonIdentifier
from protection.models import AuditEvent

pytestmark = pytest.mark.django_db


def _head(household):
    return household.members.get(relationship_to_head="head")


def _document(**overrides):
    values = {
        "kind": "document",
        "document_type": "national_id",
        "number": "SSD-11 4477",
        "issuing_country": str(Country.objects.get(code="SSD").pk),
        "system": "",
    }
    values.update(overrides)
    return values


def test_an_officer_adds_a_document_finds_the_person_by_it_and_removes_it(
    officer_client, household
) -> None:
    person = _head(household)
    add = reverse("cases:person_identifier_add", args=[person.pk])
    assert officer_client.get(add).status_code == 200

    assert officer_client.post(add, _document()).status_code == 302

    page = officer_client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert "SSD-11 4477" in page
    assert "National identity card" in page
    people = reverse("cases:person_list")
    found = officer_client.get(people, {"document": "ssd114477"}).content.decode()
    assert person.registration_number in found
    other = household.members.exclude(pk=person.pk).get()
    assert other.registration_number not in found
    assert (
        person.registration_number
        not in officer_client.get(people, {"document": "SSD-11"}).content.decode()
    )
    identifier = PersonIdentifier.objects.get()
    remove = reverse("cases:person_identifier_remove", args=[person.pk, identifier.pk])
    assert officer_client.post(remove).status_code == 302
    assert not PersonIdentifier.objects.exists()
    assert AuditEvent.objects.filter(action="person.identifier_remove").count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"document_type": ""},
        {"number": ""},
        {"kind": "biometric", "system": ""},
        {"issuing_country": "999999"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(officer_client, household, change) -> None:
    add = reverse("cases:person_identifier_add", args=[_head(household).pk])

    response = officer_client.post(add, _document(**change))

    assert response.status_code == 200
    assert 'class="errorlist' in response.content.decode()
    assert not PersonIdentifier.objects.exists()


def test_another_agencys_person_is_not_found(officer_client, other_household) -> None:
    add = reverse("cases:person_identifier_add", args=[_head(other_household).pk])

    assert officer_client.get(add).status_code == 404
    assert officer_client.post(add, _document()).status_code == 404
    assert not PersonIdentifier.objects.exists()
