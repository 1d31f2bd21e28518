"""A person's edit merged field by field against its base (protection.edits): service, API, page.

Two officers edit the same person; neither save silently undoes the other's, and a field both
changed differently is shown to choose.
"""

import re
from typing import Any

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson
from cases.registry.services import person_editable_values, person_update
from protection.edits import EditConflict
from protection.models import AuditEvent
from tests import factories
from tests.api.conftest import SchemaCheckedClient
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="protection_officer", username="colleague")


def _head(household: Any) -> DisplacedPerson:
    return household.members.get(relationship_to_head="head")


def _api(user: Any) -> SchemaCheckedClient:
    client = SchemaCheckedClient()
    client.login_with_token(user)
    return client


def test_a_stale_edit_keeps_a_colleagues_change_and_applies_its_own(
    officer: Any, colleague: Any, household: Any
) -> None:
    person = _head(household)
    base = person_editable_values(person)
    person_update(actor=colleague, person=person, changes={"phone": "+211 900 000 002"}, base=base)

    # The officer's form still holds the old (empty) phone; it changed the languages only.
    person_update(
        actor=officer,
        person=DisplacedPerson.objects.get(pk=person.pk),
        changes={"phone": "", "languages": "Dinka, Arabic"},
        base=base,
    )

    saved = DisplacedPerson.objects.get(pk=person.pk)
    assert (saved.phone, saved.languages) == ("+211 900 000 002", "Dinka, Arabic")


def test_the_same_field_changed_differently_is_refused_and_audited_by_name(
    officer: Any, colleague: Any, household: Any
) -> None:
    person = _head(household)
    base = person_editable_values(person)
    person_update(actor=colleague, person=person, changes={"phone": "+211 900 000 002"}, base=base)

    with pytest.raises(EditConflict) as raised:
        person_update(
            actor=officer,
            person=person,
            changes={"phone": "+211 955 555 555", "languages": "Nuer"},
            base=base,
        )

    assert [c.as_data() for c in raised.value.conflicts] == [
        {"field": "phone", "yours": "+211 955 555 555", "theirs": "+211 900 000 002", "base": ""}
    ]
    saved = DisplacedPerson.objects.get(pk=person.pk)
    assert saved.languages != "Nuer"  # nothing of the refused save is written
    event = AuditEvent.objects.get(action="person.edit_conflict")
    assert set(event.changes) == {"phone"}
    assert "955" not in str(event.changes)


def test_the_api_answers_409_and_writes_nothing(
    officer: Any, colleague: Any, household: Any
) -> None:
    person = _head(household)
    url = f"/api/v1/persons/{person.pk}/"
    base = {"phone": "", "specific_needs": []}
    first = _api(colleague).patch(
        url, {"phone": "+211 900 000 002", "specific_needs": ["DS-PM"], "base": base}, format="json"
    )
    assert first.status_code == 200

    answer = _api(officer).patch(
        url, {"phone": "+211 955 555 555", "specific_needs": ["DS-PM"], "base": base}, format="json"
    )

    assert answer.status_code == 409
    assert answer.json() == {
        "conflicts": [
            {
                "field": "phone",
                "yours": "+211 955 555 555",
                "theirs": "+211 900 000 002",
                "base": "",
            }
        ]
    }
    assert DisplacedPerson.objects.get(pk=person.pk).phone == "+211 900 000 002"


def test_the_api_refuses_a_bad_base_and_hides_other_agencies(
    officer: Any, household: Any, other_household: Any
) -> None:
    person = _head(household)
    api = _api(officer)
    unknown = api.patch(
        f"/api/v1/persons/{person.pk}/",
        {"phone": "1", "base": {"phone": "", "password": "x"}},
        format="json",
    )
    missing = api.patch(
        f"/api/v1/persons/{person.pk}/", {"phone": "1", "base": {"languages": ""}}, format="json"
    )
    hidden = api.patch(
        f"/api/v1/persons/{other_household.members.get().pk}/",
        {"phone": "1", "base": {"phone": ""}},
        format="json",
    )
    assert unknown.status_code == 400 and "base" in unknown.json()
    assert missing.status_code == 400 and "base" in missing.json()
    assert hidden.status_code == 404
    assert DisplacedPerson.objects.get(pk=person.pk).phone == ""


def _page_values(page: str) -> dict[str, Any]:
    """Return what the edit form would post as rendered (text inputs, selects, the base)."""
    values: dict[str, Any] = {}
    for name, value in re.findall(
        r'<input type="(?:text|hidden)" name="(\w+)" value="([^"]*)"', page
    ):
        values[name] = value
    for name in re.findall(r'<select name="(\w+)"', page):
        block = page.split(f'<select name="{name}"', 1)[1].split("</select>", 1)[0]
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', block)
        multiple = " multiple" in block.split(">", 1)[0]
        values[name] = chosen if multiple else (chosen[0] if chosen else "")
    for name, value in re.findall(
        r'<input type="radio" name="(\w+)" value="([^"]*)"[^>]*checked', page
    ):
        values[name] = value
    for name, value in re.findall(
        r'<input type="checkbox" name="(\w+)" value="([^"]*)"[^>]*checked', page
    ):
        values.setdefault(name, []).append(value)
    for name in re.findall(r'<input type="checkbox" name="(\w+)"[^>]*checked', page):
        values.setdefault(name, "on")
    return values


def test_the_page_shows_the_conflicting_field_with_the_value_saved_now(
    officer: Any, colleague: Any, household: Any
) -> None:
    person = _head(household)
    url = reverse("cases:person_edit", args=[person.pk])
    client = signed_in(officer)
    opened = _page_values(client.get(url).content.decode())
    assert "edit_base" in opened
    person_update(
        actor=colleague,
        person=person,
        changes={"phone": "+211 900 000 002"},
        base=person_editable_values(person),
    )

    shown = client.post(url, {**opened, "phone": "+211 955 555 555", "languages": "Nuer"})

    assert shown.status_code == 409
    page = shown.content.decode()
    assert 'data-field="phone"' in page
    assert "+211 900 000 002" in page and 'value="+211 955 555 555"' in page
    assert DisplacedPerson.objects.get(pk=person.pk).languages != "Nuer"

    again = _page_values(page)
    saved = client.post(url, {**again, "resolve_phone": "mine"})
    assert saved.status_code == 302
    person = DisplacedPerson.objects.get(pk=person.pk)
    assert (person.phone, person.languages) == ("+211 955 555 555", "Nuer")
    assert person.specific_needs.count() == 0


def test_another_agencys_person_is_still_not_found(officer: Any, other_household: Any) -> None:
    person = other_household.members.get()
    response = signed_in(officer).post(
        reverse("cases:person_edit", args=[person.pk]), {"phone": "1", "edit_base": "x"}
    )
    assert response.status_code == 404
