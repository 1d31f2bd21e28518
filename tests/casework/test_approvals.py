"""Closing a high- or critical-risk case: request, approve or reject by another supervisor."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.casework import closure, selectors, services
from cases.models import ApprovalStatus, CaseApproval, CaseStatus, PersonStatus
from protection.models import AuditEvent
from tests.casework.conftest import advance, make_user, open_case


@pytest.fixture
def high_case(worker, person):
    return advance(worker, open_case(worker, person, risk_level="high"), CaseStatus.FOLLOW_UP)


def _request(actor, case, **overrides):
    values = {"reason": "durable_solution", "durable_solution": "local_integration"}
    values.update(overrides)
    return closure.case_closure_request(actor=actor, case=case, **values)


@pytest.mark.parametrize("risk", ["high", "critical"])
def test_a_high_risk_case_cannot_be_closed_without_approval(worker, person, risk) -> None:
    case = open_case(worker, person, risk_level=risk)
    with pytest.raises(ValidationError) as error:
        closure.case_close(actor=worker, case=case, reason="lost_contact")
    assert "supervisor must approve" in str(error.value)
    case.refresh_from_db()
    assert case.status == CaseStatus.REGISTERED


def test_a_low_risk_case_needs_no_request(worker, case) -> None:
    with pytest.raises(ValidationError):
        closure.case_closure_request(actor=worker, case=case, reason="lost_contact")
    assert not CaseApproval.objects.exists()


def test_the_approved_request_closes_the_case_with_the_requested_outcome(
    worker, supervisor, person, high_case
) -> None:
    approval = _request(worker, high_case, note="Integrated in the host town.")
    assert approval.status == ApprovalStatus.PENDING
    assert list(selectors.approval_queue(user=supervisor)) == [approval]

    closure.case_closure_approve(actor=supervisor, approval=approval)

    high_case.refresh_from_db()
    approval.refresh_from_db()
    person.refresh_from_db()
    assert high_case.status == CaseStatus.CLOSED
    assert high_case.durable_solution == "local_integration"
    assert high_case.closure_note == "Integrated in the host town."
    assert approval.status == ApprovalStatus.APPROVED and approval.decided_by == supervisor
    assert person.status == PersonStatus.LOCALLY_INTEGRATED
    assert list(selectors.approval_queue(user=supervisor)) == []
    actions = list(
        AuditEvent.objects.filter(object_id=str(high_case.pk), action__startswith="case.closure")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["case.closure_request", "case.closure_approve"]


def test_the_rejected_request_leaves_the_case_open_with_the_reason(
    worker, supervisor, high_case
) -> None:
    approval = _request(worker, high_case)
    with pytest.raises(ValidationError):
        closure.case_closure_reject(actor=supervisor, approval=approval, reason="  ")

    closure.case_closure_reject(actor=supervisor, approval=approval, reason="Still threatened.")

    high_case.refresh_from_db()
    approval.refresh_from_db()
    assert high_case.status == CaseStatus.FOLLOW_UP
    assert approval.status == ApprovalStatus.REJECTED
    assert approval.decision_note == "Still threatened."
    with pytest.raises(ValidationError):
        closure.case_closure_approve(actor=supervisor, approval=approval)


def test_the_requester_cannot_decide_their_own_request(
    worker, supervisor, second_supervisor, person
) -> None:
    case = advance(
        supervisor,
        open_case(supervisor, person, risk_level="critical", assigned_to=worker),
        CaseStatus.FOLLOW_UP,
    )
    approval = _request(supervisor, case)
    assert list(selectors.approval_queue(user=supervisor)) == []

    with pytest.raises(ValidationError) as error:
        closure.case_closure_approve(actor=supervisor, approval=approval)
    assert "another supervisor" in str(error.value)

    closure.case_closure_approve(actor=second_supervisor, approval=approval)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


def test_only_a_supervisor_of_the_owning_agency_decides(
    worker, colleague, officer, high_case, other_agency
) -> None:
    approval = _request(worker, high_case)
    foreign_supervisor = make_user(other_agency, "supervisor", "foreign_supervisor")
    for actor in (worker, colleague, officer, foreign_supervisor):
        with pytest.raises(PermissionDenied):
            closure.case_closure_approve(actor=actor, approval=approval)
        with pytest.raises(PermissionDenied):
            closure.case_closure_reject(actor=actor, approval=approval, reason="No.")
        assert list(selectors.approval_queue(user=actor)) == []
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING


def test_one_request_at_a_time_and_the_case_waits_for_the_decision(
    worker, supervisor, high_case
) -> None:
    _request(worker, high_case)
    with pytest.raises(ValidationError):
        _request(worker, high_case)
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=worker, case=high_case, status="implementation")
    assert "yet to decide" in str(error.value)


def test_a_request_with_a_bad_outcome_is_refused_and_nothing_written(worker, high_case) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        _request(worker, high_case, durable_solution="resettlement")  # an IDP
    assert not CaseApproval.objects.exists()
    assert AuditEvent.objects.count() == events
