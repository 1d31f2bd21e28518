"""A person's language and communication needs through the API: read, replace, filter."""

import datetime

import pytest
from django.utils import timezone

from cases.models import PersonLanguageNeeds
from cases.registry.anonymisation import people_anonymise
from protection.models import AccessLog, AuditEvent
from tests.factories import register_household

pytestmark = pytest.mark.django_db

NEEDS = {
    "languages": ["ar", "din"],
    "preferred_language": "din",
    "interpreter_needed": True,
    "interpreter_sex": "female",
    "literacy": "none",
}


def url(person) -> str:
    return f"/api/v1/persons/{person.pk}/language-needs/"


def test_nothing_recorded_reads_as_the_defaults(officer_api, officer, person) -> None:
    response = officer_api.get(url(person))

    assert response.status_code == 200
    assert response.json()["languages"] == []
    assert response.json()["interpreter_needed"] is False
    assert AccessLog.objects.filter(user=officer, object_id=str(person.pk)).exists()


def test_put_records_the_needs_and_audits_field_names_only(officer_api, officer, person) -> None:
    response = officer_api.put(url(person), NEEDS, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert sorted(body["languages"]) == ["ar", "din"]
    assert body["preferred_language"] == "din"
    assert body["interpreter_sex"] == "female"
    assert officer_api.get(url(person)).json()["literacy"] == "none"
    event = AuditEvent.objects.get(action="person.language_needs", object_id=str(person.pk))
    assert set(event.changes) == {
        "languages",
        "preferred_spoken_language",
        "interpreter_needed",
        "interpreter_sex",
        "literacy",
    }
    # The languages a person speaks can say where they come from: the trail keeps no codes.
    assert "din" not in str(event.changes)


def test_saving_the_same_needs_again_audits_nothing(officer_api, person) -> None:
    officer_api.put(url(person), NEEDS, format="json")
    officer_api.put(url(person), NEEDS, format="json")

    assert AuditEvent.objects.filter(action="person.language_needs").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"languages": ["xx"]}, "languages"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"interpreter_needed": False}, "interpreter_sex"),
        ({"literacy": "fluent"}, "literacy"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(officer_api, person, change, field) -> None:
    response = officer_api.put(url(person), {**NEEDS, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not PersonLanguageNeeds.objects.exists()
    assert not AuditEvent.objects.filter(action="person.language_needs").exists()


def test_another_agencys_person_is_not_found(officer_api, foreign_person) -> None:
    assert officer_api.get(url(foreign_person)).status_code == 404
    assert officer_api.put(url(foreign_person), NEEDS, format="json").status_code == 404
    assert not PersonLanguageNeeds.objects.exists()


def test_people_filter_by_language_and_interpreter(officer_api, officer, site, person) -> None:
    other = register_household(
        actor=officer,
        site=site,
        members=[
            {
                "given_name": "Nyabol",
                "family_name": "Deng",
                "date_of_birth": datetime.date(1984, 2, 3),
            }
        ],
    )
    officer_api.put(url(person), NEEDS, format="json")
    officer_api.put(url(other.members[0]), {"languages": ["ar"]}, format="json")

    def names(**params):
        rows = officer_api.get("/api/v1/persons/", params).json()["results"]
        return sorted(row["given_name"] for row in rows)

    assert names(speaks="ar") == ["Amina", "Nyabol"]
    assert names(speaks="din") == ["Amina"]
    assert names(needs_interpreter="true") == ["Amina"]
    assert names(needs_interpreter="false") == ["Nyabol"]


def test_anonymising_the_person_removes_the_language_needs(officer_api, person) -> None:
    officer_api.put(url(person), NEEDS, format="json")

    people_anonymise(actor=None, ids=[person.pk], today=timezone.localdate(), kind="erasure")

    assert not PersonLanguageNeeds.objects.exists()
