"""Opening and changing a case: numbers, defaults, who may be assigned, linked members."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.casework import handover, services
from cases.models import CaseStatus, ProtectionCase
from protection.audit_values import value_hash
from protection.models import AuditEvent
from tests import factories
from tests.casework.conftest import open_case


def test_opening_a_case_gives_it_a_number_and_files_the_audit_event(worker, person) -> None:
    case = open_case(worker, person)

    assert re.fullmatch(r"C-[0-9A-Z]{4}-[0-9A-Z]{4}", case.case_number)
    assert case.status == CaseStatus.REGISTERED
    assert case.assigned_to == worker
    assert case.owning_agency == worker.agency
    assert not case.confidential
    event = AuditEvent.objects.get(object_type="cases.protectioncase", object_id=str(case.pk))
    assert event.action == "case.open"
    assert event.changes["risk_level"] == [None, "medium"]


@pytest.mark.parametrize("case_type", ["gbv", "child_protection"])
def test_gbv_and_child_protection_cases_are_confidential_by_default(
    worker, person, case_type
) -> None:
    assert open_case(worker, person, case_type=case_type).confidential


def test_a_child_protection_case_may_be_opened_to_the_agency(worker, child) -> None:
    case = open_case(worker, child, case_type="child_protection", confidential=False)
    assert not case.confidential


def test_a_gbv_case_cannot_be_opened_without_confidentiality(worker, person) -> None:
    with pytest.raises(ValidationError) as error:
        open_case(worker, person, case_type="gbv", confidential=False)
    assert "always confidential" in str(error.value)
    assert not ProtectionCase.objects.exists()


def test_linked_persons_must_be_members_of_the_same_household(
    worker, officer, site, person, child
) -> None:
    stranger = factories.register_household(
        actor=officer, site=site, members=[{"given_name": "Deng", "family_name": "Garang"}]
    ).members[0]

    case = open_case(worker, person, linked_persons=[child])
    assert list(case.linked_persons.all()) == [child]

    with pytest.raises(ValidationError) as error:
        open_case(worker, person, linked_persons=[stranger])
    assert "same household" in str(error.value)
    with pytest.raises(ValidationError):
        open_case(worker, person, linked_persons=[person])
    assert ProtectionCase.objects.count() == 1


def test_the_case_worker_must_do_casework_in_the_owning_agency(
    worker, person, agency, other_officer
) -> None:
    analyst = factories.UserFactory(agency=agency, role="analyst")
    for assignee in (analyst, other_officer):
        with pytest.raises(ValidationError) as error:
            open_case(worker, person, assigned_to=assignee)
        assert "assigned_to" in error.value.message_dict
    assert not ProtectionCase.objects.exists()


def test_another_agency_cannot_open_a_case_for_a_person_it_cannot_see(
    other_officer, person
) -> None:
    with pytest.raises(PermissionDenied):
        open_case(other_officer, person)


@pytest.mark.parametrize("role", ["analyst", "partner_api", "admin"])
def test_roles_without_casework_cannot_open_cases(agency, person, role) -> None:
    user = factories.UserFactory(agency=agency, role=role)
    with pytest.raises(PermissionDenied):
        open_case(user, person)


def test_no_case_for_a_person_recorded_as_deceased(worker, officer, person) -> None:
    from cases.registry.services import person_status_change

    person_status_change(actor=officer, person=person, status="deceased", reason="Died.")
    with pytest.raises(ValidationError) as error:
        open_case(worker, person)
    assert "deceased" in str(error.value)


def test_updating_the_risk_level_is_audited(worker, case) -> None:
    services.case_update(actor=worker, case=case, risk_level="critical")

    case.refresh_from_db()
    assert case.risk_level == "critical"
    event = AuditEvent.objects.filter(action="case.update").get()
    assert event.changes == {"risk_level": ["medium", "critical"]}


def test_only_a_supervisor_lifts_confidentiality_and_never_on_gbv(
    worker, supervisor, person, child
) -> None:
    child_case = open_case(worker, child, case_type="child_protection")
    with pytest.raises(ValidationError):
        services.case_update(actor=worker, case=child_case, confidential=False)
    services.case_update(actor=supervisor, case=child_case, confidential=False)
    child_case.refresh_from_db()
    assert not child_case.confidential

    gbv_case = open_case(worker, person, case_type="gbv")
    with pytest.raises(ValidationError):
        services.case_update(actor=supervisor, case=gbv_case, confidential=False)


def test_reassignment_is_for_supervisors_and_records_the_reason(
    worker, colleague, supervisor, case
) -> None:
    with pytest.raises(PermissionDenied):
        handover.case_reassign(actor=worker, case=case, assigned_to=colleague, reason="Leave")
    with pytest.raises(ValidationError):
        handover.case_reassign(actor=supervisor, case=case, assigned_to=colleague, reason=" ")

    handover.case_reassign(
        actor=supervisor, case=case, assigned_to=colleague, reason="Worker on leave."
    )

    case.refresh_from_db()
    assert case.assigned_to == colleague
    event = AuditEvent.objects.get(action="case.reassign")
    assert event.changes == {
        "assigned_to": [worker.pk, colleague.pk],
        "reason": [None, value_hash("reason", "Worker on leave.")],
    }


def test_reassignment_decides_on_the_current_row_not_a_stale_copy(
    worker, colleague, supervisor, case
) -> None:
    stale = ProtectionCase.objects.get(pk=case.pk)
    handover.case_reassign(actor=supervisor, case=case, assigned_to=colleague, reason="Leave.")

    # The stale copy still says `worker`: giving the case back to them is a real change.
    handover.case_reassign(actor=supervisor, case=stale, assigned_to=worker, reason="Back.")
    assert ProtectionCase.objects.get(pk=case.pk).assigned_to == worker

    with pytest.raises(ValidationError, match="already assigned"):
        handover.case_reassign(actor=supervisor, case=stale, assigned_to=worker, reason="Again.")
