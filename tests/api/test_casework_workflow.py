"""The case workflow over the API: transitions, closure and its approval, reopening, handover."""

import pytest

from cases.models import ApprovalStatus, CaseApproval, PersonStatus, ProtectionCase
from partners.models import DataCategory, SharingPurpose
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import advance, make_agreement, make_user

pytestmark = pytest.mark.django_db


def _status(case: ProtectionCase) -> str:
    case.refresh_from_db()
    return case.status


def test_move_a_case_along(worker_api, case) -> None:
    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/transition/", {"status": "assessment"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "assessment"
    assert _status(case) == "assessment"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("implementation", "cannot move from"),
        ("closed", "closure reason"),
        ("paused", "not a valid choice"),
    ],
)
def test_an_illegal_move_is_refused(worker_api, case, target, message) -> None:
    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/transition/", {"status": target}, format="json"
    )

    assert response.status_code == 400
    assert message in response.json()["status"][0]
    assert _status(case) == "registered"


def test_planning_needs_an_assessment_first(worker, worker_api, case) -> None:
    advance(worker, case, "assessment")

    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/transition/", {"status": "case_plan"}, format="json"
    )

    assert response.status_code == 400
    assert "assessment" in response.json()["status"][0]
    assert _status(case) == "assessment"


def test_close_a_case_with_a_durable_solution(worker, worker_api, case, person) -> None:
    advance(worker, case, "follow_up")

    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/close/",
        {"reason": "durable_solution", "durable_solution": "return"},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["closure_reason"], body["durable_solution"]) == (
        "closed",
        "durable_solution",
        "return",
    )
    person.refresh_from_db()
    assert person.status == PersonStatus.DEPARTED


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "needs_met"}, "reason"),  # Not in follow-up yet.
        ({"reason": "lost_contact", "durable_solution": "return"}, "durable_solution"),
        ({"reason": "other"}, "note"),
        ({"reason": "vanished"}, "reason"),
        ({}, "reason"),
    ],
)
def test_a_bad_closure_writes_nothing(worker_api, case, payload, field) -> None:
    response = worker_api.post(f"/api/v1/cases/{case.pk}/close/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert _status(case) == "registered"


def test_a_high_risk_case_needs_a_supervisors_approval(worker_api, confidential_case) -> None:
    response = worker_api.post(
        f"/api/v1/cases/{confidential_case.pk}/close/", {"reason": "moved_away"}, format="json"
    )

    assert response.status_code == 400
    assert "request the closure" in response.json()["reason"][0]
    assert _status(confidential_case) == "registered"


@pytest.fixture
def closure_request(worker, worker_api, confidential_case) -> dict:
    advance(worker, confidential_case, "follow_up")
    response = worker_api.post(
        f"/api/v1/cases/{confidential_case.pk}/closure-request/",
        {"reason": "needs_met", "note": "Safe with her sister."},
        format="json",
    )
    assert response.status_code == 201
    return response.json()


def test_request_approve_a_closure(
    closure_request, worker_api, supervisor_api, confidential_case
) -> None:
    assert closure_request["status"] == "pending"
    assert closure_request["kind"] == "closure"
    again = worker_api.post(
        f"/api/v1/cases/{confidential_case.pk}/closure-request/",
        {"reason": "needs_met"},
        format="json",
    )
    queue = supervisor_api.get("/api/v1/approvals/")
    detail = worker_api.get(f"/api/v1/cases/{confidential_case.pk}/")

    assert again.status_code == 400
    assert "already waiting" in again.json()["reason"][0]
    assert [row["id"] for row in queue.json()["results"]] == [closure_request["id"]]
    assert [a["id"] for a in detail.json()["pending_approvals"]] == [closure_request["id"]]

    approved = supervisor_api.post(f"/api/v1/approvals/{closure_request['id']}/approve/")

    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert _status(confidential_case) == "closed"
    assert supervisor_api.get("/api/v1/approvals/").json()["results"] == []


def test_reject_a_closure_with_a_reason(closure_request, supervisor_api, confidential_case) -> None:
    path = f"/api/v1/approvals/{closure_request['id']}/reject/"

    missing = supervisor_api.post(path, {"reason": ""}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    assert CaseApproval.objects.get().status == ApprovalStatus.PENDING

    rejected = supervisor_api.post(path, {"reason": "Her safety plan is untested."}, format="json")

    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "Her safety plan is untested."
    assert _status(confidential_case) == "follow_up"


def test_a_supervisor_does_not_decide_their_own_request(
    supervisor, supervisor_api, second_supervisor, client_for, confidential_case
) -> None:
    advance(supervisor, confidential_case, "follow_up")
    request = supervisor_api.post(
        f"/api/v1/cases/{confidential_case.pk}/closure-request/",
        {"reason": "needs_met"},
        format="json",
    ).json()

    own = supervisor_api.post(f"/api/v1/approvals/{request['id']}/approve/")
    queue = supervisor_api.get("/api/v1/approvals/").json()["results"]
    other = client_for(second_supervisor).post(f"/api/v1/approvals/{request['id']}/approve/")

    assert own.status_code == 400
    assert "another supervisor" in own.json()["non_field_errors"][0]
    assert queue == []
    assert other.status_code == 200


def test_approvals_are_for_supervisors_of_the_owning_agency(
    closure_request, worker_api, client_for, other_agency
) -> None:
    other_supervisor = make_user(other_agency, "supervisor", "other_supervisor")
    api = client_for(other_supervisor)

    assert worker_api.get("/api/v1/approvals/").status_code == 403
    assert worker_api.post(f"/api/v1/approvals/{closure_request['id']}/approve/").status_code == 403
    assert api.get("/api/v1/approvals/").json()["results"] == []
    assert api.get(f"/api/v1/approvals/{closure_request['id']}/").status_code == 404
    assert api.post(f"/api/v1/approvals/{closure_request['id']}/approve/").status_code == 404
    assert CaseApproval.objects.get().status == ApprovalStatus.PENDING


def test_reopen_a_closed_case(worker, worker_api, case) -> None:
    advance(worker, case, "follow_up")
    worker_api.post(f"/api/v1/cases/{case.pk}/close/", {"reason": "needs_met"}, format="json")

    missing = worker_api.post(f"/api/v1/cases/{case.pk}/reopen/", {}, format="json")
    reopened = worker_api.post(
        f"/api/v1/cases/{case.pk}/reopen/", {"reason": "Threats again."}, format="json"
    )
    again = worker_api.post(f"/api/v1/cases/{case.pk}/reopen/", {"reason": "Twice."}, format="json")

    assert missing.status_code == 400
    assert "reason" in missing.json()
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "assessment"
    assert again.status_code == 400
    assert "Only a closed case" in again.json()["reason"][0]


def test_reassign_a_case(supervisor_api, worker_api, colleague, other_officer, case) -> None:
    path = f"/api/v1/cases/{case.pk}/reassign/"

    by_worker = worker_api.post(path, {"assigned_to": colleague.pk, "reason": "x"}, format="json")
    outside = supervisor_api.post(
        path, {"assigned_to": other_officer.pk, "reason": "Leave."}, format="json"
    )
    no_reason = supervisor_api.post(path, {"assigned_to": colleague.pk}, format="json")
    done = supervisor_api.post(
        path, {"assigned_to": colleague.pk, "reason": "Worker on leave."}, format="json"
    )

    assert by_worker.status_code == 403
    assert outside.status_code == 400
    assert "assigned_to" in outside.json()
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert done.status_code == 200
    assert done.json()["assigned_to"] == colleague.pk


def test_transfer_needs_an_agreement(supervisor_api, case, other_agency) -> None:
    response = supervisor_api.post(
        f"/api/v1/cases/{case.pk}/transfer/",
        {"agency": other_agency.pk, "reason": "The family moved to their site."},
        format="json",
    )

    assert response.status_code == 400
    assert "No active data-sharing agreement" in response.json()["agency"][0]
    case.refresh_from_db()
    assert case.owning_agency_id != other_agency.pk


def test_transfer_a_case(supervisor_api, case, agency, other_agency) -> None:
    make_agreement(
        agency,
        other_agency,
        purposes=[SharingPurpose.CASE_TRANSFER],
        data_categories=list(DataCategory.values),
    )

    response = supervisor_api.post(
        f"/api/v1/cases/{case.pk}/transfer/",
        {"agency": other_agency.pk, "reason": "The family moved to their site."},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": case.pk,
        "case_number": case.case_number,
        "owning_agency": other_agency.pk,
        "assigned_to": None,
    }
    assert supervisor_api.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_the_timeline_tells_the_story(worker, worker_api, case) -> None:
    advance(worker, case, "assessment")
    worker_api.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Met at home."}, format="json")

    response = worker_api.get(f"/api/v1/cases/{case.pk}/timeline/")

    assert response.status_code == 200
    entries = response.json()
    assert [e["action"] for e in entries] == ["case.open", "case.transition", "case.note_add"]
    assert entries[1]["label"] == "Status changed"
    assert entries[1]["changes"]["status"] == ["registered", "assessment"]
    assert entries[2]["actor"] == str(worker)


def test_workflow_endpoints_answer_404_for_another_agency(client_for, other_agency, case) -> None:
    other_supervisor = make_user(other_agency, "supervisor", "other_supervisor")
    api = client_for(other_supervisor)
    for endpoint, body in [
        ("transition", {"status": "assessment"}),
        ("close", {"reason": "moved_away"}),
        ("closure-request", {"reason": "moved_away"}),
        ("reopen", {"reason": "x"}),
        ("reassign", {"assigned_to": other_supervisor.pk, "reason": "x"}),
        ("transfer", {"agency": other_agency.pk, "reason": "x"}),
    ]:
        response = api.post(f"/api/v1/cases/{case.pk}/{endpoint}/", body, format="json")
        assert response.status_code == 404, endpoint
    assert _status(case) == "registered"
