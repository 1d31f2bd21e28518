"""The supervisor's approval queue: closures of high-risk cases and referrals without consent."""

import pytest
from django.urls import reverse

from cases.casework import closure, referrals
from cases.models import (
    ApprovalStatus,
    CaseApproval,
    CaseStatus,
    PersonStatus,
    ReferralStatus,
)
from tests.casepages.conftest import body, casework_counts
from tests.casework.conftest import advance, make_user, open_case, refer
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

QUEUE = "/registry/approvals/"


@pytest.fixture
def closure_request(worker, person):
    """A high-risk case in follow-up whose worker asks to close it with a durable solution."""
    case = open_case(worker, person, risk_level="critical")
    advance(worker, case, "follow_up")
    return closure.case_closure_request(
        actor=worker, case=case, reason="durable_solution", durable_solution="return"
    )


@pytest.fixture
def override_request(worker, case, service, agreement):
    referral = refer(
        worker,
        case,
        service,
        consent=None,
        override=referrals.Override(
            reason="vital_interest", justification="Unconscious after the attack."
        ),
    )
    return CaseApproval.objects.get(referral=referral)


def test_the_url_is_the_queue():
    assert reverse("cases:approval_queue") == QUEUE


def test_the_queue_lists_both_kinds_of_request(
    supervisor_client, closure_request, override_request
):
    page = body(supervisor_client.get(QUEUE))

    assert closure_request.case.case_number in page
    assert "Closing a high- or critical-risk case" in page
    assert "Return to the place of origin (IDP)" in page
    assert override_request.referral.code in page
    assert "Unconscious after the attack." in page
    assert "Name, Age, Phone number" in page  # what the referral would share


def test_approving_a_closure_closes_the_case_and_records_the_solution(
    supervisor_client, person, closure_request
):
    response = supervisor_client.post(reverse("cases:approval_approve", args=[closure_request.pk]))

    assert response["Location"] == QUEUE
    closure_request.refresh_from_db()
    case = closure_request.case
    case.refresh_from_db()
    person.refresh_from_db()
    assert closure_request.status == ApprovalStatus.APPROVED
    assert case.status == CaseStatus.CLOSED and case.durable_solution == "return"
    assert person.status == PersonStatus.DEPARTED
    assert supervisor_client.get(QUEUE).context["items"] == []


def test_approving_an_override_sends_the_referral(supervisor_client, override_request):
    supervisor_client.post(reverse("cases:approval_approve", args=[override_request.pk]))

    override_request.referral.refresh_from_db()
    assert override_request.referral.status == ReferralStatus.PENDING
    assert override_request.referral.override_approved_by is not None


def test_a_rejection_needs_its_reason_and_then_keeps_the_case_open(
    supervisor_client, closure_request
):
    url = reverse("cases:approval_reject", args=[closure_request.pk])
    before = casework_counts()

    refused = supervisor_client.post(url, {f"a{closure_request.pk}-reason": ""})

    assert "This field is required." in body(refused)
    assert casework_counts() == before
    supervisor_client.post(url, {f"a{closure_request.pk}-reason": "Check the return is safe."})
    closure_request.refresh_from_db()
    assert closure_request.status == ApprovalStatus.REJECTED
    assert closure_request.case.status == CaseStatus.FOLLOW_UP


def test_rejecting_an_override_cancels_the_referral(supervisor_client, override_request):
    supervisor_client.post(
        reverse("cases:approval_reject", args=[override_request.pk]),
        {f"a{override_request.pk}-reason": "Ask her sister for consent first."},
    )
    override_request.referral.refresh_from_db()
    assert override_request.referral.status == ReferralStatus.CANCELLED


def test_a_supervisor_cannot_decide_their_own_request(
    supervisor, supervisor_client, second_supervisor, person
):
    case = open_case(supervisor, person, risk_level="high")
    advance(supervisor, case, "follow_up")
    own = closure.case_closure_request(actor=supervisor, case=case, reason="needs_met")
    assert case.case_number not in body(supervisor_client.get(QUEUE))
    assert case.case_number in body(signed_in(second_supervisor).get(QUEUE))

    response = supervisor_client.post(reverse("cases:approval_approve", args=[own.pk]), follow=True)

    assert "You made this request; another supervisor must decide it." in body(response)
    own.refresh_from_db()
    assert own.status == ApprovalStatus.PENDING


def test_a_decided_request_cannot_be_decided_again(supervisor_client, closure_request):
    url = reverse("cases:approval_approve", args=[closure_request.pk])
    supervisor_client.post(url)
    again = supervisor_client.post(url, follow=True)
    assert "This request has already been decided." in body(again)


def test_a_worker_may_not_open_the_queue_or_decide(worker_client, closure_request):
    assert worker_client.get(QUEUE).status_code == 403
    assert (
        worker_client.post(reverse("cases:approval_approve", args=[closure_request.pk])).status_code
        == 403
    )
    closure_request.refresh_from_db()
    assert closure_request.status == ApprovalStatus.PENDING


def test_another_agencys_supervisor_does_not_find_the_request(other_agency, closure_request):
    client = signed_in(make_user(other_agency, "supervisor", "other_supervisor"))
    assert closure_request.case.case_number not in body(client.get(QUEUE))
    for name in ("approval_approve", "approval_reject"):
        response = client.post(reverse(f"cases:{name}", args=[closure_request.pk]), {"reason": "x"})
        assert response.status_code == 404
    closure_request.refresh_from_db()
    assert closure_request.status == ApprovalStatus.PENDING


def test_anonymous_visitors_are_sent_to_sign_in(client, closure_request):
    response = client.post(reverse("cases:approval_approve", args=[closure_request.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
