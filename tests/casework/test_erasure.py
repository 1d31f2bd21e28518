"""Erasure on request: the person page's form, the service's refusals, the audit trail."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from camps.census import census
from cases.casework import closure
from cases.casework.anonymisation import person_erase
from cases.models import DisplacedPerson, PersonErasure, ProtectionCase
from cases.registry.anonymisation import person_legal_hold_set
from cases.registry.services import person_update
from protection.models import AuditEvent
from tests.casework.conftest import make_user, open_case
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

NOTE = "Asked at the help desk on Monday, with her sister as interpreter."


def _url(person: DisplacedPerson) -> str:
    return reverse("cases:person_erase", args=[person.pk])


def _post(client: Any, person: DisplacedPerson, **overrides: str) -> Any:
    data = {"reason": "subject_request", "note": NOTE, "confirm": person.registration_number}
    data.update(overrides)
    return client.post(_url(person), data)


def test_supervisor_erases_a_person_from_their_page(
    supervisor: Any, worker: Any, person: Any, site: Any
) -> None:
    case = closure.case_close(
        actor=worker, case=open_case(worker, person), reason="moved_away", note="Gone."
    )
    client = signed_in(supervisor)
    assert _url(person) in client.get(person.get_absolute_url()).content.decode()
    today_population = census().population(site=site, today=person.created_at.date())

    response = _post(client, person)

    assert response.status_code == 302 and response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert person.anonymised_on is not None and person.given_name == ""
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Anonymised person" in page and "Amina" not in page
    assert "Erase on request" not in page and "Edit details" not in page
    with pytest.raises(ValidationError, match="anonymised"):
        person_update(actor=supervisor, person=person, changes={"given_name": "Amina"})
    case.refresh_from_db()
    assert case.anonymised_on is not None and case.summary != "Threatened by a neighbour."
    erasure = PersonErasure.objects.get(person=person)
    assert (erasure.reason, erasure.note, erasure.erased_by) == (
        "subject_request",
        NOTE,
        supervisor,
    )
    event = AuditEvent.objects.get(action="person.erase", object_id=str(person.pk))
    assert event.changes == {"erasure_reason": [None, "subject_request"]}
    assert "help desk" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert census().population(site=site, today=person.created_at.date()) == today_population


def test_erasure_of_another_agencys_person_is_not_found(other_agency: Any, person: Any) -> None:
    stranger = make_user(other_agency, "supervisor", "stranger")
    client = signed_in(stranger)

    assert client.get(_url(person)).status_code == 404
    assert _post(client, person).status_code == 404
    with pytest.raises(PermissionDenied):
        person_erase(actor=stranger, person=person, reason="subject_request")
    person.refresh_from_db()
    assert person.anonymised_on is None and person.given_name == "Amina"


def test_a_case_worker_may_not_erase(worker: Any, person: Any) -> None:
    assert signed_in(worker).get(_url(person)).status_code == 403
    with pytest.raises(PermissionDenied):
        person_erase(actor=worker, person=person, reason="subject_request")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "because"}, "reason", "Select a valid choice."),
        ({"confirm": "P-0000-0000"}, "confirm", "This is not the person's registration number."),
        ({"note": "x" * 2001}, "note", "Ensure this value has at most 2000 characters"),
    ],
)
def test_bad_input_shows_the_error_and_erases_nothing(
    supervisor: Any, person: Any, overrides: dict[str, str], field: str, message: str
) -> None:
    client = signed_in(supervisor)
    audit_rows = AuditEvent.objects.count()

    response = _post(client, person, **overrides)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    person.refresh_from_db()
    assert person.anonymised_on is None and not PersonErasure.objects.exists()
    assert AuditEvent.objects.count() == audit_rows


def test_an_open_case_blocks_erasure_with_a_clear_message(
    supervisor: Any, worker: Any, person: Any
) -> None:
    open_case(worker, person)

    response = _post(signed_in(supervisor), person)

    assert response.status_code == 200
    assert "has an open protection case" in response.content.decode()
    with pytest.raises(ValidationError, match="open protection case"):
        person_erase(actor=supervisor, person=person, reason="subject_request")
    person.refresh_from_db()
    assert person.anonymised_on is None
    assert ProtectionCase.objects.filter(anonymised_on__isnull=False).count() == 0


def test_a_legal_hold_blocks_erasure(supervisor: Any, person: Any) -> None:
    person_legal_hold_set(actor=supervisor, person=person, hold=True)

    page = signed_in(supervisor).get(person.get_absolute_url()).content.decode()
    assert "Legal hold" in page
    with pytest.raises(ValidationError, match="legal hold"):
        person_erase(actor=supervisor, person=person, reason="consent_withdrawn")
    person.refresh_from_db()
    assert person.anonymised_on is None and not PersonErasure.objects.exists()


def test_legal_hold_needs_the_role_and_the_agency(
    worker: Any, other_agency: Any, person: Any
) -> None:
    with pytest.raises(PermissionDenied):
        person_legal_hold_set(actor=worker, person=person, hold=True)
    stranger = make_user(other_agency, "supervisor", "stranger")
    with pytest.raises(PermissionDenied):
        person_legal_hold_set(actor=stranger, person=person, hold=True)
    person.refresh_from_db()
    assert not person.legal_hold
