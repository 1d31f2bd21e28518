"""A person's language and communication needs on the pages: edit, show, filter, refuse."""

import pytest
from django.urls import reverse

from cases.models import Language, PersonLanguageNeeds
from protection.models import AuditEvent
from tests.casework.conftest import open_case

pytestmark = pytest.mark.django_db


def _head(household):
    return household.members.get(relationship_to_head="head")


def _ids(*codes: str) -> list[str]:
    return [str(pk) for pk in Language.objects.filter(code__in=codes).values_list("pk", flat=True)]


def _post(**overrides):
    values = {
        "languages": _ids("ar", "din"),
        "preferred_language": _ids("din")[0],
        "interpreter_needed": "on",
        "interpreter_sex": "female",
        "literacy": "basic",
    }
    values.update(overrides)
    return values


def test_an_officer_records_the_needs_and_sees_them_on_the_person_and_history(
    officer_client, household
) -> None:
    person = _head(household)
    url = reverse("cases:person_language_needs", args=[person.pk])
    assert officer_client.get(url).status_code == 200

    response = officer_client.post(url, _post())

    assert response.status_code == 302
    needs = PersonLanguageNeeds.objects.get(person=person)
    assert sorted(needs.languages.values_list("code", flat=True)) == ["ar", "din"]
    assert needs.interpreter_sex == "female"
    body = officer_client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert "Dinka" in body
    assert "A woman" in body
    assert "Reads and writes a little" in body
    assert "Language needs changed" in body
    assert AuditEvent.objects.filter(action="person.language_needs").count() == 1


def test_a_preferred_language_not_spoken_is_refused_and_nothing_is_written(
    officer_client, household
) -> None:
    person = _head(household)
    url = reverse("cases:person_language_needs", args=[person.pk])

    response = officer_client.post(url, _post(preferred_language=_ids("fr")[0]))

    assert response.status_code == 200
    assert "The preferred language must be one the person speaks." in response.content.decode()
    assert not PersonLanguageNeeds.objects.exists()
    assert not AuditEvent.objects.filter(action="person.language_needs").exists()


def test_an_unknown_language_is_refused(officer_client, household) -> None:
    url = reverse("cases:person_language_needs", args=[_head(household).pk])

    response = officer_client.post(url, _post(languages=["999999"], preferred_language=""))

    assert response.status_code == 200
    assert not PersonLanguageNeeds.objects.exists()


def test_another_agencys_person_is_not_found(officer_client, other_household) -> None:
    url = reverse("cases:person_language_needs", args=[_head(other_household).pk])

    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, _post()).status_code == 404
    assert not PersonLanguageNeeds.objects.exists()


def test_the_people_list_filters_by_language_and_interpreter(officer_client, household) -> None:
    person = _head(household)
    officer_client.post(reverse("cases:person_language_needs", args=[person.pk]), _post())
    people = reverse("cases:person_list")

    def found(**params) -> bool:
        return person.registration_number in officer_client.get(people, params).content.decode()

    assert found(speaks="din")
    assert not found(speaks="fr")
    assert found(needs_interpreter="true")


def test_the_case_page_shows_the_persons_language_needs(officer_client, officer, household):
    person = _head(household)
    officer_client.post(reverse("cases:person_language_needs", args=[person.pk]), _post())
    case = open_case(officer, person)

    body = officer_client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()

    assert "Language and communication" in body
    assert "Dinka" in body
