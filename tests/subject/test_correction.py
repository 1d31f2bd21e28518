"""Correcting a field of a person's record on their request, with the reason recorded."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson, PersonCorrection
from protection.audit_values import is_value_hash
from protection.models import AuditEvent
from tests.casework.conftest import make_user
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _post(client: Any, person: Any, **fields: Any) -> Any:
    data = {"field": "family_name", "value": "Deng", "reason": "document_shown", "note": ""}
    data.update(fields)
    return client.post(reverse("cases:person_correct", args=[person.pk]), data)


def test_a_correction_changes_the_field_and_audits_the_field_and_reason(officer, person) -> None:
    response = _post(
        signed_in(officer), person, value="Deng Garang", note="Birth certificate shown."
    )

    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert person.family_name == "Deng Garang"
    correction = PersonCorrection.objects.get(person=person)
    assert (correction.field_name, correction.reason, correction.note) == (
        "family_name",
        "document_shown",
        "Birth certificate shown.",
    )
    event = AuditEvent.objects.get(action="person.correct", object_id=str(person.pk))
    assert event.actor == officer
    assert event.changes["correction_reason"] == [None, "document_shown"]
    assert event.changes["correction"] == [None, correction.pk]
    # The audit trail names the field and points; it never holds the names in clear.
    before, after = event.changes["family_name"]
    assert is_value_hash(before) and is_value_hash(after)
    assert "Deng Garang" not in str(event.changes)
    assert "Birth certificate" not in str(event.changes)
    # Search follows the corrected name.
    assert DisplacedPerson.objects.filter(pk=person.pk, name_search__contains="garang").exists()


def test_the_persons_history_and_report_show_the_correction(officer, person) -> None:
    client = signed_in(officer)
    _post(client, person, field="date_of_birth", value="1991-03-02", reason="recording_error")

    page = client.get(person.get_absolute_url()).content.decode()
    assert "Corrected on request" in page
    assert "Recorded wrongly at registration" in page
    report = client.get(
        reverse("cases:person_subject_report", args=[person.pk]) + "?purpose=correction"
    )
    [row] = report.context["data"]["corrections"]
    assert (row["field"]["code"], row["reason"]["code"]) == ("date_of_birth", "recording_error")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"value": "not a date", "field": "date_of_birth"}, "value", "YYYY-MM-DD"),
        ({"value": "female-ish", "field": "sex"}, "value", "is not a valid choice"),
        ({"value": "", "field": "given_name"}, "value", "Enter the given name."),
        ({"value": "XXX", "field": "nationality"}, "value", "Type a country code"),
        ({"reason": ""}, "reason", "This field is required."),
        ({"field": "status"}, "field", "Select a valid choice."),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_written(
    officer, person, fields, field, message
) -> None:
    before = DisplacedPerson.objects.values().get(pk=person.pk)

    response = _post(signed_in(officer), person, **fields)

    assert response.status_code == 200
    assert message in " ".join(str(e) for e in response.context["form"].errors[field])
    assert "Nothing was saved." in response.content.decode()
    assert DisplacedPerson.objects.values().get(pk=person.pk) == before
    assert not PersonCorrection.objects.exists()
    assert not AuditEvent.objects.filter(action="person.correct").exists()


def test_a_birth_date_in_the_future_is_refused_like_at_registration(officer, person) -> None:
    """The registration rules apply: nobody is born in the future."""
    response = _post(signed_in(officer), person, field="date_of_birth", value="2999-01-01")
    assert response.status_code == 200
    assert response.context["form"].errors["value"]
    assert not PersonCorrection.objects.exists()


def test_the_same_value_is_not_a_correction(officer, person) -> None:
    response = _post(signed_in(officer), person, value=person.family_name)
    assert "This is already the recorded value." in response.context["form"].errors["value"]


def test_another_agency_cannot_correct_and_a_case_worker_may_not(
    other_officer, agency, person
) -> None:
    assert _post(signed_in(other_officer), person).status_code == 404
    worker = make_user(agency, "case_worker", "caseworker")
    assert _post(signed_in(worker), person).status_code == 403
    person.refresh_from_db()
    assert person.family_name != "Deng"
    assert not PersonCorrection.objects.exists()
