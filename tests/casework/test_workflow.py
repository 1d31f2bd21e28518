"""Every move of the case workflow, legal and illegal; closure, solutions and reopening."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.casework import closure, plan, services, workflow
from cases.models import CaseStatus, DisplacementStatus, PersonStatus, ProtectionCase
from protection.audit_values import value_hash
from protection.models import AuditEvent
from tests.casework.conftest import advance, open_case, ready_for

OPEN_STATUSES = [s for s in CaseStatus.values if s != CaseStatus.CLOSED]
# Sorted: a frozenset's order changes from one process to the next (string hashing is
# randomised), and parallel runs need every process to collect the same tests in one order.
LEGAL = [
    (source, target)
    for source, targets in workflow.TRANSITIONS.items()
    for target in sorted(targets)
]
ILLEGAL = [
    (source, target)
    for source, target in itertools.product(OPEN_STATUSES, CaseStatus.values)
    if target not in workflow.TRANSITIONS[source]
]


def _at(actor, case, status) -> ProtectionCase:
    """Bring the case to `status` through the services (backward moves need a forward walk)."""
    return advance(actor, case, status)


@pytest.mark.parametrize(("source", "target"), LEGAL)
def test_every_legal_transition_moves_the_case_and_is_audited(worker, case, source, target) -> None:
    case = _at(worker, case, source)
    ready_for(worker, case, target)

    moved = services.case_transition(actor=worker, case=case, status=target)

    assert moved.status == target
    case.refresh_from_db()
    assert case.status == target
    last = AuditEvent.objects.filter(action="case.transition").order_by("-id").first()
    assert last is not None and last.changes == {"status": [source, target]}


@pytest.mark.parametrize(("source", "target"), ILLEGAL)
def test_every_illegal_transition_is_refused_with_a_message(worker, case, source, target) -> None:
    case = _at(worker, case, source)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=worker, case=case, status=target)

    assert error.value.message_dict["status"][0]
    case.refresh_from_db()
    assert case.status == source
    assert AuditEvent.objects.count() == events


def test_a_closed_case_cannot_move_until_reopened(worker, case) -> None:
    closure.case_close(actor=worker, case=case, reason="lost_contact")
    for target in CaseStatus.values:
        with pytest.raises(ValidationError) as error:
            services.case_transition(actor=worker, case=case, status=target)
        assert "reopen" in str(error.value)


def test_an_unknown_status_is_refused(worker, case) -> None:
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=worker, case=case, status="archived")
    assert "valid case status" in str(error.value)


def test_planning_needs_an_assessment_and_implementation_an_open_action(worker, case) -> None:
    case = services.case_transition(actor=worker, case=case, status="assessment")
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=worker, case=case, status="case_plan")
    assert "assessment" in str(error.value)

    plan.assessment_record(actor=worker, case=case, risks_identified="Threats.")
    case = services.case_transition(actor=worker, case=case, status="case_plan")
    with pytest.raises(ValidationError) as error:
        services.case_transition(actor=worker, case=case, status="implementation")
    assert "action" in str(error.value)


def test_an_assessment_needs_the_assessment_stage_and_a_safety_plan_for_a_concern(
    worker, case
) -> None:
    with pytest.raises(ValidationError):
        plan.assessment_record(actor=worker, case=case, risks_identified="Threats.")
    case = services.case_transition(actor=worker, case=case, status="assessment")
    with pytest.raises(ValidationError) as error:
        plan.assessment_record(
            actor=worker, case=case, risks_identified="Threats.", immediate_safety_concern=True
        )
    assert "safety_plan" in error.value.message_dict


def test_child_specific_needs_are_refused_in_an_adult_assessment(worker, case) -> None:
    from cases.models import SpecificNeed

    case = services.case_transition(actor=worker, case=case, status="assessment")
    needs = SpecificNeed.objects.filter(code__in=["SC-UC", "WR-WR"]).select_related("category")
    with pytest.raises(ValidationError) as error:
        plan.assessment_record(
            actor=worker, case=case, risks_identified="Alone.", specific_needs=needs
        )
    assert "SC-UC" in str(error.value)


@pytest.mark.parametrize("status", OPEN_STATUSES)
@pytest.mark.parametrize("reason", sorted(workflow.EARLY_CLOSURE_REASONS))
def test_early_closure_reasons_close_a_case_at_any_stage(worker, case, status, reason) -> None:
    case = _at(worker, case, status)

    closure.case_close(actor=worker, case=case, reason=reason, note="Explained.")

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_on == timezone.localdate()
    assert case.closure_reason == reason


@pytest.mark.parametrize("status", [s for s in OPEN_STATUSES if s != CaseStatus.FOLLOW_UP])
@pytest.mark.parametrize("reason", ["needs_met", "durable_solution"])
def test_needs_met_and_solutions_close_only_from_follow_up(worker, case, status, reason) -> None:
    case = _at(worker, case, status)
    with pytest.raises(ValidationError) as error:
        closure.case_close(
            actor=worker,
            case=case,
            reason=reason,
            durable_solution="return" if reason == "durable_solution" else "",
        )
    assert "follow-up" in str(error.value)
    case.refresh_from_db()
    assert case.status == status


def test_closing_other_needs_an_explanation(worker, case) -> None:
    with pytest.raises(ValidationError) as error:
        closure.case_close(actor=worker, case=case, reason="other")
    assert "note" in error.value.message_dict


@pytest.mark.parametrize(
    ("status_code", "solution", "person_status"),
    [
        ("IDP", "return", PersonStatus.DEPARTED),
        ("IDP", "local_integration", PersonStatus.LOCALLY_INTEGRATED),
        ("IDP", "settlement_elsewhere", PersonStatus.DEPARTED),
        ("REF", "voluntary_repatriation", PersonStatus.REPATRIATED),
        ("REF", "resettlement", PersonStatus.RESETTLED),
        ("ASY", "local_integration", PersonStatus.LOCALLY_INTEGRATED),
    ],
)
def test_a_durable_solution_updates_the_person_status(
    worker, officer, person, status_code, solution, person_status
) -> None:
    from cases.registry.services import person_update

    if status_code != "IDP":
        person_update(
            actor=officer,
            person=person,
            changes={"displacement_status": DisplacementStatus.objects.get(code=status_code)},
        )
    case = advance(worker, open_case(worker, person), CaseStatus.FOLLOW_UP)

    closure.case_close(
        actor=worker, case=case, reason="durable_solution", durable_solution=solution
    )

    person.refresh_from_db()
    assert person.status == person_status
    assert case.case_number in person.status_reason
    status_event = AuditEvent.objects.get(action="person.status_change", object_id=str(person.pk))
    assert status_event.changes["status"] == ["active", person_status]
    close_event = AuditEvent.objects.get(action="case.close")
    assert close_event.changes["person_status"] == [None, person_status]


@pytest.mark.parametrize(
    ("status_code", "solution"),
    [
        ("IDP", "resettlement"),
        ("IDP", "voluntary_repatriation"),
        ("REF", "return"),
        ("HST", "return"),
    ],
)
def test_a_solution_that_does_not_fit_the_displacement_status_is_refused(
    worker, officer, person, status_code, solution
) -> None:
    from cases.registry.services import person_update

    if status_code != "IDP":
        person_update(
            actor=officer,
            person=person,
            changes={"displacement_status": DisplacementStatus.objects.get(code=status_code)},
        )
    case = advance(worker, open_case(worker, person), CaseStatus.FOLLOW_UP)

    with pytest.raises(ValidationError) as error:
        closure.case_close(
            actor=worker, case=case, reason="durable_solution", durable_solution=solution
        )

    assert "durable_solution" in error.value.message_dict
    person.refresh_from_db()
    case.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE
    assert case.status == CaseStatus.FOLLOW_UP


def test_a_solution_is_given_only_with_the_solution_reason(worker, case) -> None:
    case = advance(worker, case, CaseStatus.FOLLOW_UP)
    with pytest.raises(ValidationError):
        closure.case_close(actor=worker, case=case, reason="needs_met", durable_solution="return")
    with pytest.raises(ValidationError):
        closure.case_close(actor=worker, case=case, reason="durable_solution")


def test_closing_as_deceased_records_the_death_in_the_registry(worker, person, case) -> None:
    closure.case_close(actor=worker, case=case, reason="deceased")
    person.refresh_from_db()
    assert person.status == PersonStatus.DECEASED


def test_reopening_returns_the_case_to_assessment_and_keeps_the_closure_in_history(
    worker, case
) -> None:
    closure.case_close(actor=worker, case=case, reason="lost_contact")
    with pytest.raises(ValidationError):
        closure.case_reopen(actor=worker, case=case, reason="")

    closure.case_reopen(actor=worker, case=case, reason="The person came back.")

    case.refresh_from_db()
    assert case.status == workflow.REOPEN_STATUS
    assert case.closed_on is None and case.closure_reason == ""
    assert AuditEvent.objects.filter(action="case.close").exists()
    event = AuditEvent.objects.get(action="case.reopen")
    assert event.changes["status"] == ["closed", "assessment"]
    assert event.changes["reason"] == [None, value_hash("reason", "The person came back.")]
    with pytest.raises(ValidationError):
        closure.case_reopen(actor=worker, case=case, reason="Again.")


def test_actions_move_forward_only_and_overdue_is_derived(worker, case) -> None:
    case = advance(worker, case, CaseStatus.CASE_PLAN)
    due = timezone.localdate() + datetime.timedelta(days=3)
    action = plan.case_action_add(
        actor=worker, case=case, description="Find a shelter.", due_on=due, responsible_user=worker
    )
    assert not action.is_overdue

    plan.case_action_update(actor=worker, action=action, status="done")
    action.refresh_from_db()
    assert action.completed_on == timezone.localdate()
    with pytest.raises(ValidationError):
        plan.case_action_update(actor=worker, action=action, status="in_progress")


def test_an_action_names_a_user_or_a_referral_and_is_not_due_in_the_past(worker, case) -> None:
    case = advance(worker, case, CaseStatus.CASE_PLAN)
    due = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        plan.case_action_add(actor=worker, case=case, description="Nobody.", due_on=due)
    with pytest.raises(ValidationError):
        plan.case_action_add(
            actor=worker,
            case=case,
            description="Late.",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            responsible_user=worker,
        )


def test_follow_ups_are_recorded_once_the_plan_is_carried_out(worker, case) -> None:
    with pytest.raises(ValidationError):
        plan.follow_up_record(actor=worker, case=case, contact_type="home_visit", notes="Hi.")
    case = advance(worker, case, CaseStatus.IMPLEMENTATION)

    follow_up = plan.follow_up_record(
        actor=worker,
        case=case,
        contact_type="home_visit",
        notes="Safe at home.",
        next_follow_up_on=timezone.localdate() + datetime.timedelta(days=14),
    )

    assert follow_up.recorded_by == worker
    assert AuditEvent.objects.filter(action="case.follow_up_record").count() == 1
    with pytest.raises(ValidationError) as error:
        plan.follow_up_record(
            actor=worker,
            case=case,
            contact_type="phone_call",
            notes="Called.",
            next_follow_up_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "next_follow_up_on" in error.value.message_dict
