"""The work on a case over the API: assessments, the plan's actions, follow-ups and notes."""

import datetime

import pytest
from django.utils import timezone

from cases.models import CaseAction, CaseAssessment, CaseFollowUp, CaseNote
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import advance, make_user, refer

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
LATER = "2999-12-31"


def _days(n: int) -> str:
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


def test_record_an_assessment(worker, worker_api, case) -> None:
    advance(worker, case, "assessment")

    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/assessments/",
        {
            "risks_identified": "Threats at the water point.",
            "specific_needs": ["WR-WR", "LP-AN", "WR-WR"],
            "immediate_safety_concern": True,
            "safety_plan": "Goes to the water point with neighbours.",
            "wishes": "Stay in the camp.",
        },
        format="json",
    )
    listed = worker_api.get(f"/api/v1/cases/{case.pk}/assessments/")

    assert response.status_code == 201
    body = response.json()
    assert sorted(body["specific_needs"]) == ["LP-AN", "WR-WR"]
    assert body["assessed_on"] == TODAY().isoformat()
    assert body["assessed_by"] == worker.pk
    assert [row["id"] for row in listed.json()] == [body["id"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"risks_identified": "x", "immediate_safety_concern": True}, "safety_plan"),
        ({"risks_identified": ""}, "risks_identified"),
        ({"risks_identified": "x", "specific_needs": ["XX-00"]}, "specific_needs"),
        ({"risks_identified": "x", "specific_needs": ["SC-UC"]}, "specific_needs"),  # Adult.
        ({"risks_identified": "x", "assessed_on": LATER}, "assessed_on"),
    ],
)
def test_a_bad_assessment_writes_nothing(worker, worker_api, case, payload, field) -> None:
    advance(worker, case, "assessment")

    response = worker_api.post(f"/api/v1/cases/{case.pk}/assessments/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not CaseAssessment.objects.exists()


def test_assess_only_once_the_case_is_in_assessment(worker_api, case) -> None:
    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/assessments/", {"risks_identified": "x"}, format="json"
    )

    assert response.status_code == 400
    assert "Move the case to assessment" in response.json()["non_field_errors"][0]
    assert not CaseAssessment.objects.exists()


def test_plan_actions(worker, worker_api, case) -> None:
    advance(worker, case, "case_plan")

    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {
            "description": "Accompany to the women's centre.",
            "due_on": _days(7),
            "responsible_user": worker.pk,
        },
        format="json",
    )
    listed = worker_api.get(f"/api/v1/cases/{case.pk}/actions/")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["overdue"], body["responsible_user"]) == (
        "planned",
        False,
        worker.pk,
    )
    assert body["id"] in [row["id"] for row in listed.json()]


def test_an_action_carried_by_a_referral(worker, worker_api, case, service, agreement) -> None:
    advance(worker, case, "case_plan")
    referral = refer(worker, case, service)

    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/actions/",
        {"description": "Medical care.", "due_on": _days(3), "referral": referral.pk},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["referral_code"] == referral.code
    assert response.json()["responsible_user"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"description": "x", "due_on": "2000-01-01", "responsible_user": "worker"}, "due_on"),
        ({"description": "x", "due_on": LATER}, "responsible_user"),
        ({"description": "", "due_on": LATER, "responsible_user": "worker"}, "description"),
        ({"description": "x", "due_on": LATER, "responsible_user": "analyst"}, "responsible_user"),
        ({"description": "x", "responsible_user": "worker"}, "due_on"),
    ],
)
def test_a_bad_action_writes_nothing(worker, worker_api, agency, case, payload, field) -> None:
    advance(worker, case, "case_plan")
    before = CaseAction.objects.count()
    users = {"worker": worker.pk, "analyst": make_user(agency, "analyst", "analyst").pk}
    if "responsible_user" in payload:
        payload = {**payload, "responsible_user": users[payload["responsible_user"]]}

    response = worker_api.post(f"/api/v1/cases/{case.pk}/actions/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert CaseAction.objects.count() == before


def test_move_an_action_along(worker, worker_api, case) -> None:
    advance(worker, case, "case_plan")
    advance(worker, case, "implementation")
    action = case.actions.get()
    path = f"/api/v1/case-actions/{action.pk}/"

    shown = worker_api.get(path)
    started = worker_api.patch(path, {"status": "in_progress"}, format="json")
    done = worker_api.patch(path, {"status": "done"}, format="json")
    back = worker_api.patch(path, {"status": "planned"}, format="json")
    moved = worker_api.patch(path, {"due_on": _days(30)}, format="json")

    assert shown.status_code == 200
    assert started.json()["status"] == "in_progress"
    assert done.status_code == 200
    assert done.json()["completed_on"] == TODAY().isoformat()
    assert back.status_code == 400
    assert "status" in back.json()
    assert moved.status_code == 400
    assert "due_on" in moved.json()
    action.refresh_from_db()
    assert action.status == "done"


def test_an_overdue_action_is_flagged(worker, worker_api, case) -> None:
    advance(worker, case, "implementation")
    CaseAction.objects.filter(case=case).update(due_on=TODAY() - datetime.timedelta(days=1))

    [row] = worker_api.get(f"/api/v1/cases/{case.pk}/actions/").json()

    assert row["overdue"] is True


def test_record_a_follow_up(worker, worker_api, case) -> None:
    advance(worker, case, "implementation")

    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/follow-ups/",
        {"contact_type": "home_visit", "notes": "Doing better.", "next_follow_up_on": _days(14)},
        format="json",
    )
    listed = worker_api.get(f"/api/v1/cases/{case.pk}/follow-ups/")
    case_row = worker_api.get(f"/api/v1/cases/{case.pk}/").json()

    assert response.status_code == 201
    assert response.json()["followed_up_on"] == TODAY().isoformat()
    assert [row["id"] for row in listed.json()] == [response.json()["id"]]
    assert case_row["next_follow_up_on"] == _days(14)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"contact_type": "telepathy", "notes": "x"}, "contact_type"),
        ({"contact_type": "phone_call", "notes": ""}, "notes"),
        ({"contact_type": "phone_call", "notes": "x", "followed_up_on": LATER}, "followed_up_on"),
        (
            {"contact_type": "phone_call", "notes": "x", "next_follow_up_on": "2001-01-01"},
            "next_follow_up_on",
        ),
    ],
)
def test_a_bad_follow_up_writes_nothing(worker, worker_api, case, payload, field) -> None:
    advance(worker, case, "implementation")

    response = worker_api.post(f"/api/v1/cases/{case.pk}/follow-ups/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not CaseFollowUp.objects.exists()


def test_follow_ups_wait_for_the_plan(worker_api, case) -> None:
    response = worker_api.post(
        f"/api/v1/cases/{case.pk}/follow-ups/",
        {"contact_type": "phone_call", "notes": "Too early."},
        format="json",
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not CaseFollowUp.objects.exists()


def test_notes(worker, worker_api, case) -> None:
    written = worker_api.post(
        f"/api/v1/cases/{case.pk}/notes/", {"text": "  Called her sister.  "}, format="json"
    )
    blank = worker_api.post(f"/api/v1/cases/{case.pk}/notes/", {"text": " "}, format="json")
    listed = worker_api.get(f"/api/v1/cases/{case.pk}/notes/")

    assert written.status_code == 201
    assert written.json()["text"] == "Called her sister."
    assert written.json()["author"] == worker.pk
    assert blank.status_code == 400
    assert "text" in blank.json()
    assert [row["text"] for row in listed.json()] == ["Called her sister."]
    assert CaseNote.objects.count() == 1


def test_the_plan_of_another_agencys_case_answers_404(
    worker, client_for, other_officer, case
) -> None:
    advance(worker, case, "implementation")
    action = case.actions.get()
    api = client_for(other_officer)

    for sub in ("assessments", "actions", "follow-ups", "notes"):
        assert api.get(f"/api/v1/cases/{case.pk}/{sub}/").status_code == 404, sub
        assert api.post(f"/api/v1/cases/{case.pk}/{sub}/", {}, format="json").status_code == 404
    assert api.get(f"/api/v1/case-actions/{action.pk}/").status_code == 404
    patched = api.patch(f"/api/v1/case-actions/{action.pk}/", {"status": "done"}, format="json")
    assert patched.status_code == 404
    action.refresh_from_db()
    assert action.status == "planned"


def test_the_actions_of_a_confidential_case_are_its_workers(
    worker, client_for, agency, confidential_case
) -> None:
    advance(worker, confidential_case, "implementation")
    action = confidential_case.actions.get()
    colleague = client_for(make_user(agency, "case_worker", "colleague"))

    assert colleague.get(f"/api/v1/case-actions/{action.pk}/").status_code == 404
    assert colleague.get(f"/api/v1/cases/{confidential_case.pk}/actions/").status_code == 404
