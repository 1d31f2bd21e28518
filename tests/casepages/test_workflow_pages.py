"""The workflow actions as forms: each one's happy path, its refusals, and who may act."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.casework import closure
from cases.models import (
    ActionStatus,
    ApprovalStatus,
    CaseAction,
    CaseApproval,
    CaseStatus,
    PersonStatus,
    ProtectionCase,
)
from tests.casepages.conftest import body, casework_counts
from tests.casework.conftest import advance, make_agreement, make_user, open_case
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _url(name, case, *args):
    return reverse(f"cases:{name}", args=[case.pk, *args])


def _today(days=0):
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _reload(case):
    return ProtectionCase.objects.get(pk=case.pk)


# --- moving along the workflow -------------------------------------------------------------


def test_a_worker_moves_the_case_forward_and_back(worker_client, worker, case):
    response = worker_client.post(_url("case_transition", case), {"status": "assessment"})
    assert response.status_code == 302
    assert _reload(case).status == CaseStatus.ASSESSMENT
    page = body(worker_client.get(response["Location"]))
    assert "The case is now at the stage: Assessment." in page

    advance(worker, case, "case_plan")
    worker_client.post(_url("case_transition", case), {"status": "assessment"})
    assert _reload(case).status == CaseStatus.ASSESSMENT


def test_an_illegal_move_is_explained_and_nothing_is_written(worker_client, case):
    before = casework_counts()

    response = worker_client.post(
        _url("case_transition", case), {"status": "implementation"}, follow=True
    )

    page = body(response)
    assert "The case did not move: A case cannot move from Registered to Implementation." in page
    assert _reload(case).status == CaseStatus.REGISTERED
    assert casework_counts() == before


def test_a_stage_that_is_not_ready_is_refused(worker_client, worker, case):
    advance(worker, case, "assessment")
    response = worker_client.post(
        _url("case_transition", case), {"status": "case_plan"}, follow=True
    )
    assert "Record an assessment before planning the case." in body(response)
    assert _reload(case).status == CaseStatus.ASSESSMENT


def test_a_moves_status_that_does_not_exist_is_refused(worker_client, case):
    response = worker_client.post(_url("case_transition", case), {"status": "done"}, follow=True)
    assert "Choose a valid case status." in body(response)


def test_the_transition_takes_only_posts(worker_client, case):
    assert worker_client.get(_url("case_transition", case)).status_code == 405


# --- assessment, plan, follow-up and notes ----------------------------------------------------


def test_an_assessment_is_recorded_with_the_persons_needs_offered(worker_client, worker, case):
    advance(worker, case, "assessment")
    assert "SC-UC" in body(worker_client.get(_url("case_assessment", case)))

    response = worker_client.post(
        _url("case_assessment", case),
        {
            "assessed_on": _today(),
            "risks_identified": "Harassed at the distribution point.",
            "specific_needs": ["WR-WR"],
            "immediate_safety_concern": "on",
            "safety_plan": "Goes with her sister; knows the hotline.",
            "wishes": "Stay in the camp.",
        },
    )

    assert response.status_code == 302
    assessment = case.assessments.get()
    assert assessment.immediate_safety_concern is True
    assert [n.code for n in assessment.specific_needs.all()] == ["WR-WR"]


def test_an_assessment_with_a_safety_concern_but_no_plan_writes_nothing(
    worker_client, worker, case
):
    advance(worker, case, "assessment")
    before = casework_counts()

    response = worker_client.post(
        _url("case_assessment", case),
        {
            "assessed_on": _today(),
            "risks_identified": "Threats.",
            "immediate_safety_concern": "on",
            "specific_needs": ["CR-LW"],  # a child's code, for an adult
        },
    )

    page = body(response)
    assert "Nothing was saved." in page
    assert "An immediate safety concern needs a safety plan." in page
    assert "These codes apply only to children under 18: CR-LW." in page
    assert casework_counts() == before


def test_actions_are_planned_and_moved_along(worker_client, worker, colleague, case):
    advance(worker, case, "case_plan")

    response = worker_client.post(
        _url("case_action_add", case),
        {
            "description": "Replace her lost ration card.",
            "due_on": _today(5),
            "responsible_user": colleague.pk,
        },
    )

    assert response.status_code == 302
    # The description is stored encrypted: the database cannot match it, Python can.
    (action,) = [
        a
        for a in CaseAction.objects.filter(case=case)
        if a.description == "Replace her lost ration card."
    ]
    assert action.responsible_user == colleague

    worker_client.post(_url("case_action_update", case, action.pk), {"status": "done"})
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_on == timezone.localdate()

    refused = worker_client.post(
        _url("case_action_update", case, action.pk), {"status": "in_progress"}
    )
    assert "A done or cancelled action cannot change status." in body(refused)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_an_action_due_in_the_past_or_without_a_responsible_is_refused(worker_client, worker, case):
    advance(worker, case, "case_plan")
    before = casework_counts()

    response = worker_client.post(
        _url("case_action_add", case),
        {"description": "Visit.", "due_on": _today(-1), "responsible_user": ""},
    )

    page = body(response)
    assert "The due date cannot be in the past." in page
    assert "Name either a responsible person or a referral." in page
    assert casework_counts() == before


def test_a_follow_up_is_recorded_and_a_bad_next_date_refused(worker_client, worker, case):
    advance(worker, case, "implementation")
    url = _url("case_follow_up", case)

    refused = worker_client.post(
        url,
        {
            "followed_up_on": _today(),
            "contact_type": "home_visit",
            "notes": "Visited.",
            "next_follow_up_on": _today(-3),
        },
    )
    assert "The next follow-up must be today or later." in body(refused)
    assert not case.follow_ups.exists()

    worker_client.post(
        url,
        {
            "followed_up_on": _today(),
            "contact_type": "home_visit",
            "notes": "Visited.",
            "next_follow_up_on": _today(14),
        },
    )
    assert case.follow_ups.get().next_follow_up_on == timezone.localdate() + datetime.timedelta(
        days=14
    )


def test_a_note_is_saved_and_an_empty_one_refused(worker_client, case):
    url = _url("case_note", case)
    before = casework_counts()

    refused = worker_client.post(url, {"text": "   "})

    assert "This field is required." in body(refused)
    assert casework_counts() == before
    assert worker_client.post(url, {"text": "Called her brother."}).status_code == 302
    assert case.notes.get().text == "Called her brother."


def test_an_action_of_another_case_is_not_found(worker_client, worker, person, case):
    other = advance(worker, open_case(worker, person), "implementation")
    action = other.actions.get()

    response = worker_client.post(_url("case_action_update", case, action.pk), {"status": "done"})

    assert response.status_code == 404
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED


# --- closing and reopening ----------------------------------------------------------------------


def test_closing_with_a_durable_solution_updates_the_persons_status(
    worker_client, worker, person, case
):
    advance(worker, case, "follow_up")
    form = body(worker_client.get(_url("case_close", case)))
    assert "Resettlement to a third country" not in form  # not a solution for an IDP

    response = worker_client.post(
        _url("case_close", case),
        {"reason": "durable_solution", "durable_solution": "local_integration", "note": ""},
    )

    assert response.status_code == 302
    case = _reload(case)
    assert case.status == CaseStatus.CLOSED and case.durable_solution == "local_integration"
    person.refresh_from_db()
    assert person.status == PersonStatus.LOCALLY_INTEGRATED
    page = body(worker_client.get(response["Location"]))
    assert "Reopen the case" in page and "Save the note" not in page


def test_closing_too_early_is_explained_and_nothing_is_written(worker_client, case):
    before = casework_counts()

    response = worker_client.post(
        _url("case_close", case), {"reason": "needs_met", "durable_solution": "", "note": ""}
    )

    assert "Only a case in follow-up can close with this reason" in body(response)
    assert _reload(case).status == CaseStatus.REGISTERED
    assert casework_counts() == before


def test_closing_a_high_risk_case_requests_a_supervisors_approval(
    worker_client, worker, confidential_case
):
    advance(worker, confidential_case, "follow_up")
    assert "Request approval to close case" in body(
        worker_client.get(_url("case_close", confidential_case))
    )

    worker_client.post(
        _url("case_close", confidential_case),
        {"reason": "needs_met", "durable_solution": "", "note": "Safe now."},
    )

    approval = CaseApproval.objects.get(case=confidential_case)
    assert approval.status == ApprovalStatus.PENDING and approval.closure_reason == "needs_met"
    assert _reload(confidential_case).status == CaseStatus.FOLLOW_UP
    assert "already waiting for a supervisor" in body(
        worker_client.get(_url("case_close", confidential_case))
    )


def test_a_closed_case_is_reopened_with_a_reason(worker_client, worker, case):
    closure.case_close(actor=worker, case=case, reason="lost_contact")
    url = _url("case_reopen", case)

    assert "This field is required." in body(worker_client.post(url, {"reason": ""}))
    assert _reload(case).status == CaseStatus.CLOSED

    worker_client.post(url, {"reason": "She came back to the office."})
    assert _reload(case).status == CaseStatus.ASSESSMENT


# --- handing over ----------------------------------------------------------------------------


def test_a_supervisor_reassigns_the_case(supervisor_client, colleague, case):
    url = _url("case_reassign", case)

    refused = supervisor_client.post(url, {"assigned_to": colleague.pk, "reason": ""})
    assert "This field is required." in body(refused)

    supervisor_client.post(url, {"assigned_to": colleague.pk, "reason": "Case worker on leave."})
    assert _reload(case).assigned_to == colleague


def test_a_worker_may_not_reassign_or_transfer(worker_client, colleague, other_agency, case):
    assert worker_client.get(_url("case_reassign", case)).status_code == 403
    assert (
        worker_client.post(
            _url("case_transfer", case), {"agency": other_agency.pk, "reason": "Moved."}
        ).status_code
        == 403
    )
    assert _reload(case).owning_agency_id != other_agency.pk


def test_a_transfer_needs_an_agreement_covering_it(supervisor_client, agency, other_agency, case):
    url = _url("case_transfer", case)
    before = casework_counts()

    refused = supervisor_client.post(url, {"agency": other_agency.pk, "reason": "Moved."})

    assert "No active data-sharing agreement between MPU and ORL covers case transfers" in body(
        refused
    )
    assert casework_counts() == before

    make_agreement(agency, other_agency, purposes=["case_transfer"])
    response = supervisor_client.post(url, {"agency": other_agency.pk, "reason": "Moved."})
    assert response["Location"] == reverse("cases:case_list")
    case = _reload(case)
    assert case.owning_agency == other_agency and case.assigned_to is None
    assert supervisor_client.get(_url("case_detail", case)).status_code == 404


# --- who may act -----------------------------------------------------------------------------

ACTION_PAGES = [
    "case_close",
    "case_reopen",
    "case_assessment",
    "case_action_add",
    "case_follow_up",
    "case_note",
    "case_reassign",
    "case_transfer",
    "case_refer",
]


@pytest.mark.parametrize("name", ACTION_PAGES)
def test_another_agency_gets_not_found_and_nothing_is_written(name, other_officer, case):
    client = signed_in(other_officer)
    before = casework_counts()
    assert client.get(_url(name, case)).status_code == 404
    assert client.post(_url(name, case), {"text": "x", "reason": "x"}).status_code == 404
    assert casework_counts() == before


@pytest.mark.parametrize("name", ACTION_PAGES)
def test_a_colleague_gets_not_found_on_a_confidential_case(name, colleague, confidential_case):
    client = signed_in(colleague)
    before = casework_counts()
    assert client.get(_url(name, confidential_case)).status_code == 404
    assert client.post(_url(name, confidential_case), {"text": "x"}).status_code == 404
    assert casework_counts() == before


@pytest.mark.parametrize("name", ACTION_PAGES)
@pytest.mark.parametrize("role", ["analyst", "partner_api"])
def test_roles_without_casework_are_refused(name, role, agency, case):
    client = signed_in(make_user(agency, role, f"{role}_user"))
    before = casework_counts()
    assert client.get(_url(name, case)).status_code == 403
    assert client.post(_url(name, case), {"text": "x", "reason": "x"}).status_code == 403
    assert casework_counts() == before


@pytest.mark.parametrize("name", ACTION_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(name, client, case):
    response = client.post(_url(name, case), {"text": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
