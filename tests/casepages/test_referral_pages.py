"""Referrals on pages: making one with consent or an override, the referrals sent, and the
partner's inbox, where a referral shows only what was shared."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.casework import plan, referral_answers, services
from cases.models import (
    ApprovalKind,
    CaseApproval,
    Referral,
    ReferralStatus,
    SharedField,
)
from partners.models import Sector, Service
from protection.models import AccessLog, AccessPurpose, AuditEvent
from tests.casepages.conftest import body, casework_counts
from tests.casework.conftest import advance, make_user, open_case, refer
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _refer_url(case, **query):
    url = reverse("cases:case_refer", args=[case.pk])
    return f"{url}?sector={query['sector']}" if "sector" in query else url


def _referral_post(service, **overrides):
    data = {
        "service": service.pk,
        "reason": "Needs clinical care within 72 hours.",
        "urgency": "urgent",
        "shared_fields": ["full_name", "age", "sex"],
        "basis": "consent",
        "consent_given_by": "person",
        "consent_date": timezone.localdate().isoformat(),
        "override_reason": "",
        "override_justification": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def referral(worker, case, service, agreement):
    """A pending referral that shares the name and age, not the phone number."""
    return refer(worker, case, service, shared_fields=[SharedField.FULL_NAME, SharedField.AGE])


# --- making a referral -------------------------------------------------------------------------


def test_the_referral_form_offers_the_directory_for_the_persons_site_and_sector(
    worker_client, case, service, partner, other_site
):
    elsewhere = Service.objects.create(
        agency=partner, name="Mobile legal clinic", sector=Sector.objects.get(code="legal_aid")
    )
    elsewhere.sites.set([other_site])
    closed = Service.objects.create(
        agency=partner,
        name="Safe shelter",
        sector=Sector.objects.get(code="shelter"),
        accepting_referrals=False,
    )
    legal = Service.objects.create(
        agency=partner, name="Legal counselling", sector=Sector.objects.get(code="legal_aid")
    )

    everything = body(worker_client.get(_refer_url(case)))
    legal_only = body(worker_client.get(_refer_url(case, sector="legal_aid")))

    assert service.name in everything and legal.name in everything
    assert elsewhere.name not in everything  # serves another site only
    assert closed.name not in everything  # not accepting referrals
    assert legal.name in legal_only and service.name not in legal_only
    for label in ("Phone number", "Site and shelter", "Immediate safety concern and safety plan"):
        assert label in everything  # the fixed list the services define


def test_a_consented_referral_is_sent_with_only_the_chosen_fields(
    worker_client, worker, case, service, agreement
):
    response = worker_client.post(_refer_url(case), _referral_post(service))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert referral.status == ReferralStatus.PENDING
    assert referral.shared_fields == ["age", "full_name", "sex"]
    assert referral.consent_scope == ["age", "full_name", "sex"]  # one tick per item shared
    assert set(referral.shared_data) == {"age", "full_name", "sex"}
    assert referral.consent_obtained_by == worker
    assert f"Referral {referral.code} is sent to WHP." in body(
        worker_client.get(response["Location"])
    )


def test_a_referral_without_an_agreement_is_refused_and_nothing_is_written(
    worker_client, case, service
):
    before = casework_counts()

    response = worker_client.post(_refer_url(case), _referral_post(service))

    page = body(response)
    assert "Nothing was saved." in page
    assert "No active data-sharing agreement between MPU and WHP" in page
    assert casework_counts() == before


def test_a_referral_without_consent_details_is_refused_and_nothing_is_written(
    worker_client, case, service, agreement
):
    before = casework_counts()

    missing = worker_client.post(
        _refer_url(case), _referral_post(service, consent_given_by="", consent_date="")
    )

    assert "Say who gave consent." in body(missing)
    assert "Give the date of consent." in body(missing)
    assert casework_counts() == before


def test_a_referral_with_an_unknown_field_or_service_is_refused(
    worker_client, case, service, agreement, other_agency
):
    foreign = Service.objects.create(
        agency=other_agency,
        name="Not in the list",
        sector=Sector.objects.get(code="health"),
        active=False,
    )
    response = worker_client.post(
        _refer_url(case),
        _referral_post(foreign, shared_fields=["password"]),
    )
    page = body(response)
    assert page.count("Select a valid choice.") == 2
    assert not Referral.objects.exists()


def test_a_referral_without_consent_waits_for_a_supervisor(worker_client, case, service, agreement):
    response = worker_client.post(
        _refer_url(case),
        _referral_post(
            service,
            basis="override",
            consent_given_by="",
            override_reason="vital_interest",
            override_justification="Unconscious after the attack.",
        ),
    )

    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.AWAITING_APPROVAL
    assert referral.shared_data == {} and referral.sent_at is None
    assert CaseApproval.objects.get().kind == ApprovalKind.CONSENT_OVERRIDE
    assert "waits for a supervisor" in body(worker_client.get(response["Location"]))


def test_an_override_needs_its_reason_and_explanation(worker_client, case, service, agreement):
    response = worker_client.post(
        _refer_url(case), _referral_post(service, basis="override", override_justification=" ")
    )
    page = body(response)
    assert "Choose why consent could not be obtained." in page
    assert "Explain why consent could not be obtained." in page
    assert not Referral.objects.exists()


# --- the sending side ----------------------------------------------------------------------------


def test_the_referrals_sent_list_flags_the_late_ones(
    worker_client, worker, case, service, agreement, other_case
):
    late = refer(worker, case, service)
    Referral.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=2)
    )

    response = worker_client.get(reverse("cases:referral_sent_list"))

    page = body(response)
    assert late.code in page and case.case_number in page
    assert "Overdue" in page
    late_only = worker_client.get(reverse("cases:referral_sent_list"), {"overdue": "on"})
    assert [r.pk for r in late_only.context["page"].items] == [late.pk]
    bad = worker_client.get(reverse("cases:referral_sent_list"), {"status": "lost"})
    assert "Correct the filters" in body(bad) and late.code not in body(bad)


def test_the_sent_referral_shows_consent_and_what_was_shared_and_logs_the_read(
    worker_client, worker, person, referral
):
    page = body(worker_client.get(reverse("cases:referral_sent_detail", args=[referral.pk])))

    assert "Informed consent" in page
    assert person.full_name in page
    assert AccessLog.objects.filter(
        user=worker, purpose=AccessPurpose.DETAIL, object_id=str(person.pk)
    ).exists()


def test_the_sender_cancels_a_referral_with_a_reason(worker_client, referral):
    url = reverse("cases:referral_cancel", args=[referral.pk])
    events = AuditEvent.objects.count()

    refused = worker_client.post(url, {"reason": ""})
    assert "This field is required." in body(refused)
    assert AuditEvent.objects.count() == events

    worker_client.post(url, {"reason": "She left for Juba."})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED


# --- the receiving side --------------------------------------------------------------------------


def test_the_inbox_lists_what_was_sent_to_the_agency_and_flags_the_late(
    partner_client, worker_client, worker, person, case, service, agreement, referral
):
    late_case = open_case(worker, person)
    late = refer(worker, late_case, service)
    Referral.objects.filter(pk=late.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=1)
    )

    response = partner_client.get(reverse("cases:referral_inbox"))

    page = body(response)
    assert referral.code in page and late.code in page
    assert page.count("⚠ Overdue") == 1
    assert case.case_number not in page and person.full_name not in page
    late_only = partner_client.get(reverse("cases:referral_inbox"), {"overdue": "on"})
    assert [r.pk for r in late_only.context["page"].items] == [late.pk]
    # The referring agency's own inbox does not hold what it sent.
    assert referral.code not in body(worker_client.get(reverse("cases:referral_inbox")))


def test_the_inbox_keeps_a_constant_query_budget(
    worker, person, service, agreement, partner_worker, django_assert_max_num_queries
):
    for _index in range(55):
        refer(worker, open_case(worker, person), service)
    client = signed_in(partner_worker)
    client.get(reverse("cases:referral_inbox"))

    # session, user, agency, inbox count, the page of referrals with service and sending agency,
    # the access-log insert of the referrals shown (3: the chain's lock and head, the insert).
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:referral_inbox"))

    assert len(response.context["page"].items) == 50
    assert response.context["page"].next_after is not None


def test_the_partner_sees_only_the_shared_fields(
    partner_client, partner_worker, worker, person, case, service, agreement
):
    advance(worker, case, "implementation")
    plan.follow_up_record(
        actor=worker, case=case, contact_type="home_visit", notes="Bruises on her arms."
    )
    services.case_note_add(actor=worker, case=case, text="Husband threatens her.")
    referral = refer(worker, case, service, shared_fields=[SharedField.FULL_NAME, SharedField.AGE])

    response = partner_client.get(reverse("cases:referral_received_detail", args=[referral.pk]))

    page = body(response)
    assert response.status_code == 200
    assert person.full_name in page  # shared
    assert "Needs medical care within 72 hours." in page  # the referral's own reason
    for secret in (
        person.phone,  # not shared
        person.registration_number,
        case.case_number,
        case.summary,
        "Husband threatens her.",  # a case note
        "Bruises on her arms.",  # a follow-up
        "Threats at the water point.",  # the assessment
    ):
        assert secret not in page, secret
    assert AccessLog.objects.filter(
        user=partner_worker, object_type="cases.referral", object_id=str(referral.pk)
    ).exists()


def test_the_partner_accepts_then_completes(partner_client, referral):
    detail = reverse("cases:referral_received_detail", args=[referral.pk])

    response = partner_client.post(reverse("cases:referral_accept", args=[referral.pk]))
    assert response["Location"] == detail
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    page = body(partner_client.get(detail))
    assert "Report the outcome" in page and "Accept the referral" not in page

    again = partner_client.post(reverse("cases:referral_accept", args=[referral.pk]), follow=True)
    assert "Only a pending referral can be accepted." in body(again)

    refused = partner_client.post(
        reverse("cases:referral_complete", args=[referral.pk]), {"outcome": ""}
    )
    assert "This field is required." in body(refused)
    partner_client.post(
        reverse("cases:referral_complete", args=[referral.pk]),
        {"outcome": "Treated; follow-up visit in two weeks."},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.outcome == "Treated; follow-up visit in two weeks."


def test_the_partner_declines_with_a_reason_and_nothing_without_one(partner_client, referral):
    url = reverse("cases:referral_decline", args=[referral.pk])
    events = AuditEvent.objects.count()

    refused = partner_client.post(url, {"reason": "  "})

    assert "This field is required." in body(refused)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert AuditEvent.objects.count() == events

    partner_client.post(url, {"reason": "No female doctor this month."})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.decline_reason == "No female doctor this month."


def test_a_completed_referral_cannot_be_completed_again(partner_client, partner_worker, referral):
    referral_answers.referral_accept(actor=partner_worker, referral=referral)
    referral_answers.referral_complete(actor=partner_worker, referral=referral, outcome="Done.")

    response = partner_client.post(
        reverse("cases:referral_complete", args=[referral.pk]), {"outcome": "Again."}
    )

    assert "Only an accepted referral can be completed." in body(response)
    referral.refresh_from_db()
    assert referral.outcome == "Done."


@pytest.mark.parametrize("who", ["worker", "other_officer"])
def test_other_agencies_do_not_find_the_received_referral(who, worker, other_officer, referral):
    client = signed_in({"worker": worker, "other_officer": other_officer}[who])
    for name in ("referral_received_detail", "referral_accept", "referral_decline"):
        method = client.get if name == "referral_received_detail" else client.post
        assert method(reverse(f"cases:{name}", args=[referral.pk])).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_the_partner_does_not_find_the_sending_sides_pages(partner_client, case, referral):
    assert (
        partner_client.get(reverse("cases:referral_sent_detail", args=[referral.pk])).status_code
        == 404
    )
    assert (
        partner_client.post(
            reverse("cases:referral_cancel", args=[referral.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert referral.code not in body(partner_client.get(reverse("cases:referral_sent_list")))


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_roles_that_do_not_answer_referrals_are_refused(role, partner, referral):
    client = signed_in(make_user(partner, role, f"partner_{role}"))
    assert client.get(reverse("cases:referral_inbox")).status_code == 403
    assert (
        client.get(reverse("cases:referral_received_detail", args=[referral.pk])).status_code == 403
    )
    assert client.post(reverse("cases:referral_accept", args=[referral.pk])).status_code == 403
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_anonymous_visitors_are_sent_to_sign_in(client, referral):
    for url in (
        reverse("cases:referral_inbox"),
        reverse("cases:referral_received_detail", args=[referral.pk]),
        reverse("cases:referral_sent_list"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
