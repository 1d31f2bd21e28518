"""The case page: the whole file and its timeline, logged, and the confidentiality matrix."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.casework import plan, referral_answers, services
from cases.models import CaseAction
from protection.models import AccessLog, AccessPurpose
from tests import factories
from tests.casepages.conftest import body
from tests.casework.conftest import advance, make_user, open_case, refer
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _url(case):
    return reverse("cases:case_detail", args=[case.pk])


def test_the_case_page_shows_the_file_and_logs_the_read_of_the_person(
    worker_client, worker, partner_worker, person, child, service, agreement
):
    case = open_case(worker, person, linked_persons=[child])
    advance(worker, case, "follow_up")
    CaseAction.objects.filter(case=case).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    referral = refer(worker, case, service)
    referral_answers.referral_accept(actor=partner_worker, referral=referral)
    plan.follow_up_record(
        actor=worker, case=case, contact_type="phone_call", notes="Feels safer at night."
    )
    services.case_note_add(actor=worker, case=case, text="Neighbour moved away.")

    response = worker_client.get(_url(case))

    page = body(response)
    assert response.status_code == 200
    for text in (
        case.case_number,
        person.full_name,
        child.full_name,  # a linked household member
        "Threats at the water point.",  # the assessment
        "Accompany to the women&#x27;s centre.",  # the plan
        "Overdue",  # ... and its late action
        referral.code,
        "Accepted",
        "Feels safer at night.",
        "Neighbour moved away.",
        "Case opened",  # the timeline, from the audit events
        "Registered → Assessment",
        "Referral accepted by the partner",
    ):
        assert text in page, text
    detail = AccessLog.objects.filter(user=worker, purpose=AccessPurpose.DETAIL, channel="web")
    assert sorted(detail.values_list("object_type", "object_id", "part")) == [
        ("cases.displacedperson", str(person.pk), ""),
        ("cases.protectioncase", str(case.pk), ""),
    ]
    assert AccessLog.objects.filter(
        user=worker, purpose=AccessPurpose.LIST, object_id=str(child.pk)
    ).exists()


def test_the_workflow_forms_offer_only_the_legal_moves(worker_client, worker, case):
    advance(worker, case, "case_plan")

    page = body(worker_client.get(_url(case)))

    assert "Move to Implementation" in page
    assert "Step back to Assessment" in page
    assert "Move to Follow-up" not in page
    assert "Close the case" in page
    assert "Transfer to another agency" not in page  # a supervisor's decision


def test_a_supervisor_is_offered_reassignment_and_transfer(supervisor_client, case):
    page = body(supervisor_client.get(_url(case)))
    assert reverse("cases:case_reassign", args=[case.pk]) in page
    assert reverse("cases:case_transfer", args=[case.pk]) in page


def test_a_high_risk_case_asks_for_a_closure_approval(worker_client, confidential_case):
    page = body(worker_client.get(_url(confidential_case)))
    assert "Request closure" in page


VIEWERS = ["worker", "supervisor", "colleague", "other_officer", "partner_worker"]
CONFIDENTIAL_VISIBLE = {"worker", "supervisor"}
OPEN_VISIBLE = {"worker", "supervisor", "colleague"}


@pytest.fixture
def viewers(worker, supervisor, colleague, other_officer, partner_worker):
    return {
        "worker": worker,
        "supervisor": supervisor,
        "colleague": colleague,
        "other_officer": other_officer,
        "partner_worker": partner_worker,
    }


@pytest.mark.parametrize("kind", ["confidential", "general"])
@pytest.mark.parametrize("who", VIEWERS)
def test_the_confidentiality_matrix_on_the_pages(
    viewers, worker, person, service, agreement, kind, who
):
    case = open_case(
        worker,
        person,
        **({"case_type": "gbv", "risk_level": "high"} if kind == "confidential" else {}),
    )
    referral = refer(worker, case, service)
    client = signed_in(viewers[who])
    visible = who in (CONFIDENTIAL_VISIBLE if kind == "confidential" else OPEN_VISIBLE)
    case_pages = [
        _url(case),
        reverse("cases:case_note", args=[case.pk]),
        reverse("cases:case_refer", args=[case.pk]),
        reverse("cases:referral_sent_detail", args=[referral.pk]),
    ]

    for url in case_pages:
        assert client.get(url).status_code == (200 if visible else 404), url
    scope = {} if who == "supervisor" else {"scope": "all"}  # every case the user may see
    listed = case.case_number in body(client.get("/registry/cases/", scope))
    assert listed is visible
    # Only the receiving agency has the referral, and only through its inbox.
    received = client.get(reverse("cases:referral_received_detail", args=[referral.pk]))
    assert received.status_code == (200 if who == "partner_worker" else 404)
    if not visible:
        assert not AccessLog.objects.filter(object_id=str(person.pk)).exists()


def test_a_missing_case_is_not_found(worker_client):
    assert worker_client.get(reverse("cases:case_detail", args=[987654])).status_code == 404


@pytest.mark.parametrize("role", ["analyst", "partner_api", "admin"])
def test_roles_without_casework_are_refused(role, agency, case):
    user = make_user(agency, role, f"{role}_user")
    assert signed_in(user).get(_url(case)).status_code == 403


def test_an_inactive_agency_opens_nothing(worker, case):
    worker.agency.active = False
    worker.agency.save(update_fields=["active"])
    assert signed_in(worker).get(_url(case)).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, case):
    response = client.get(_url(case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_layout_offers_the_casework_sections_by_role(agency, worker, supervisor):
    def nav(user):
        page = body(
            signed_in(user).get("/registry/cases/" if user.role != "analyst" else "/camps/")
        )
        return page.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]

    caseload, inbox, approvals = (
        reverse("cases:case_list"),
        reverse("cases:referral_inbox"),
        reverse("cases:approval_queue"),
    )
    worker_nav = nav(worker)
    assert caseload in worker_nav and inbox in worker_nav and approvals not in worker_nav
    supervisor_nav = nav(supervisor)
    assert caseload in supervisor_nav and inbox in supervisor_nav and approvals in supervisor_nav
    analyst_nav = nav(factories.UserFactory(agency=agency, role="analyst"))
    assert caseload not in analyst_nav and inbox not in analyst_nav
