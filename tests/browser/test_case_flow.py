"""One case in the browser: opened from the person's file, assessed and planned, referred to a
partner who accepts and completes the referral, then closed with a durable solution."""

import datetime
import re

import pytest
from django.utils import timezone

from cases.models import CaseStatus, PersonStatus, ProtectionCase, ReferralStatus
from partners.models import DataCategory, DataSharingAgreement, Sector, Service, SharingPurpose
from tests.browser.session import sign_out
from tests.factories import PASSWORD, UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))  # casework roles start at their dashboard


def _sign_out(page) -> None:
    sign_out(page)


def _button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def test_a_case_goes_from_opening_through_a_referral_to_a_durable_solution(
    live_server, page, agency, site, other_agency
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    UserFactory(agency=agency, role="case_worker", username="worker")
    person = register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "Nyakuoth", "family_name": "Gatluak", "phone": "+211 955 000 111"}],
    ).members[0]
    partner = other_agency
    UserFactory(agency=partner, role="case_worker", username="partner")
    service = Service.objects.create(
        agency=partner, name="Clinical care for survivors", sector=Sector.objects.get(code="gbv")
    )
    today = timezone.localdate()
    DataSharingAgreement.objects.create(
        agency_one=agency,
        agency_two=partner,
        purposes=[SharingPurpose.REFERRAL],
        data_categories=list(DataCategory.values),
        valid_from=today - datetime.timedelta(days=30),
        valid_to=today + datetime.timedelta(days=365),
    )
    base = live_server.url

    # The case worker opens the case from the person's file.
    _sign_in(page, base, "worker")
    page.goto(f"{base}/registry/people/{person.pk}/")
    page.get_by_role("link", name="Open a protection case").click()
    page.select_option('[name="case_type"]', label="General protection")
    page.select_option('[name="risk_level"]', label="Medium")
    page.fill('[name="summary"]', "Threatened at the water point.")
    _button(page, "Open the case").click()
    page.wait_for_url(re.compile(r"/registry/cases/\d+/$"))
    case = ProtectionCase.objects.get()
    page.get_by_text(f"Case {case.case_number} is open.").wait_for()

    # Assessment, then a plan with one action, then implementation.
    _button(page, "Move to Assessment").click()
    page.get_by_text("The case is now at the stage: Assessment.").wait_for()
    page.get_by_role("link", name="Record an assessment").click()
    page.fill('[name="risks_identified"]', "Harassed when fetching water at night.")
    page.fill('[name="wishes"]', "Stay in the camp, near her sister.")
    _button(page, "Record the assessment").click()
    page.get_by_text("The assessment is recorded.").wait_for()
    _button(page, "Move to Case plan").click()
    page.get_by_role("link", name="Add an action to the plan").click()
    page.fill('[name="description"]', "Medical care through the partner.")
    page.fill('[name="due_on"]', (today + datetime.timedelta(days=7)).isoformat())
    _button(page, "Add the action").click()
    page.get_by_text("The action is added to the case plan.").wait_for()
    _button(page, "Move to Implementation").click()
    page.get_by_text("The case is now at the stage: Implementation.").wait_for()

    # The referral: the partner's service, with consent to share the name and age only.
    page.get_by_role("link", name="Refer to a service").click()
    page.select_option('[name="service"]', value=str(service.pk))
    page.fill('[name="reason"]', "Needs clinical care within 72 hours.")
    page.select_option('[name="urgency"]', label="Urgent")
    for field in ("full_name", "age"):  # one tick per item: the consent covers what is shared
        page.check(f'[name="shared_fields"][value="{field}"]')
    page.select_option('[name="consent_given_by"]', label="The person")
    _button(page, "Make the referral").click()
    page.get_by_text(re.compile(r"Referral R-\S+ is sent to ORL\.")).wait_for()
    referral = case.referrals.get()
    _sign_out(page)

    # The partner answers in its inbox: it sees the name it was given, not the phone number.
    _sign_in(page, base, "partner")
    page.get_by_role("link", name="Referrals inbox").click()
    page.get_by_role("link", name=referral.code).click()
    page.get_by_text("Nyakuoth Gatluak").wait_for()
    assert page.get_by_text("+211 955 000 111").count() == 0
    assert page.get_by_text("Threatened at the water point.").count() == 0
    _button(page, "Accept the referral").click()
    page.get_by_text(f"You accepted referral {referral.code}.").wait_for()
    page.fill('[name="outcome"]', "Treated; follow-up visit in two weeks.")
    _button(page, "Mark the referral completed").click()
    page.get_by_text(f"Referral {referral.code} is completed.").wait_for()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    _sign_out(page)

    # Back at the case: the answer is in the file; follow-up, then closure with a solution.
    _sign_in(page, base, "worker")
    page.get_by_role("link", name="My caseload").click()
    page.get_by_role("link", name=case.case_number).click()
    page.get_by_text("Treated; follow-up visit in two weeks.").first.wait_for()
    page.get_by_text("Referral completed by the partner").wait_for()
    _button(page, "Move to Follow-up").click()
    page.get_by_text("The case is now at the stage: Follow-up.").wait_for()
    page.get_by_role("link", name="Close the case").click()
    page.select_option('[name="reason"]', label="Durable solution reached")
    page.select_option('[name="durable_solution"]', label="Local integration")
    _button(page, "Close the case").click()
    page.get_by_text("The case is closed.").wait_for()
    assert page.get_by_role("link", name="Reopen the case").is_visible()

    case.refresh_from_db()
    person.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert (case.closure_reason, case.durable_solution) == ("durable_solution", "local_integration")
    assert person.status == PersonStatus.LOCALLY_INTEGRATED
