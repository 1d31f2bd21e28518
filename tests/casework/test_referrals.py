"""Referrals: consent, agreements, what the partner sees, and the answers of both sides."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from cases.casework import referral_answers, referrals, selectors, timeline
from cases.casework.selectors import ReferralSharedView
from cases.models import (
    ApprovalStatus,
    CaseApproval,
    Referral,
    ReferralStatus,
    SharedField,
)
from partners.models import DataCategory, SharingPurpose
from protection.models import AuditEvent
from tests.casework.conftest import consent, make_agreement, open_case, refer


def _nothing_written(events_before: int) -> None:
    assert not Referral.objects.exists()
    assert not CaseApproval.objects.exists()
    assert AuditEvent.objects.count() == events_before


@override_settings(REFERRAL_RESPONSE_HOURS={"emergency": 24, "urgent": 72, "routine": 168})
@pytest.mark.parametrize(
    ("urgency", "hours"), [("emergency", 24), ("urgent", 72), ("routine", 168)]
)
def test_a_consented_referral_is_sent_with_a_deadline_per_urgency(
    worker, case, service, agreement, urgency, hours
) -> None:
    before = timezone.now()
    referral = refer(worker, case, service, urgency=urgency)

    assert referral.status == ReferralStatus.PENDING
    assert referral.code.startswith("R-")
    assert referral.from_agency == case.owning_agency and referral.to_agency == service.agency
    assert referral.sent_at is not None and referral.sent_at >= before
    assert referral.response_due_at == referral.sent_at + datetime.timedelta(hours=hours)
    assert referral.consent_obtained_by == worker
    event = AuditEvent.objects.get(action="case.referral_create")
    assert event.object_id == str(case.pk)
    assert event.changes["shared_fields"] == [None, ["age", "full_name", "phone"]]


def test_a_referral_without_consent_is_refused_and_nothing_written(
    worker, case, service, agreement
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        refer(worker, case, service, consent=None)
    assert "consent" in error.value.message_dict
    _nothing_written(events)


def test_a_referral_without_an_agreement_is_refused_and_nothing_written(
    worker, case, service
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        refer(worker, case, service)
    message = " ".join(error.value.message_dict["shared_fields"])
    assert "No active data-sharing agreement" in message
    assert "MPU" in message and "WHP" in message
    _nothing_written(events)


@pytest.mark.parametrize(
    "terms",
    [
        {"active": False},
        {"valid_to": timezone.localdate() - datetime.timedelta(days=1)},
        {"valid_from": timezone.localdate() + datetime.timedelta(days=1)},
        {"purposes": [SharingPurpose.STATISTICS]},
        {"data_categories": [DataCategory.IDENTITY, DataCategory.DEMOGRAPHICS]},  # no contact
    ],
)
def test_an_agreement_that_does_not_cover_the_referral_does_not_count(
    worker, case, service, agency, partner, terms
) -> None:
    make_agreement(agency, partner, **terms)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        refer(worker, case, service)
    _nothing_written(events)


def test_a_referral_with_no_personal_data_needs_no_agreement(worker, case, service) -> None:
    referral = refer(worker, case, service, shared_fields=[])
    assert referral.status == ReferralStatus.PENDING
    assert referral.shared_data == {}


def test_a_referral_inside_the_agency_needs_no_agreement(worker, case, agency) -> None:
    from partners.models import Sector, Service

    own = Service.objects.create(
        agency=agency, name="Safe house", sector=Sector.objects.get(code="shelter")
    )
    assert refer(worker, case, own).status == ReferralStatus.PENDING


def test_the_consent_must_cover_every_field_shared(worker, case, service, agreement) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        refer(
            worker,
            case,
            service,
            shared_fields=[SharedField.FULL_NAME, SharedField.LOCATION],
            consent=consent(scope=[SharedField.FULL_NAME]),
        )
    assert "Site and shelter" in " ".join(error.value.message_dict["shared_fields"])
    _nothing_written(events)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"accepting_referrals": False}, "not accepting"),
        ({"active": False}, "not accepting"),
    ],
)
def test_a_service_that_does_not_take_referrals_is_refused(
    worker, case, service, agreement, changes, message
) -> None:
    for name, value in changes.items():
        setattr(service, name, value)
    service.save()
    with pytest.raises(ValidationError) as error:
        refer(worker, case, service)
    assert message in str(error.value)


def test_a_service_listing_sites_serves_only_those(
    worker, case, service, agreement, other_site, site
) -> None:
    service.sites.set([other_site])
    with pytest.raises(ValidationError) as error:
        refer(worker, case, service)
    assert "does not serve" in str(error.value)
    service.sites.set([site, other_site])
    assert refer(worker, case, service).status == ReferralStatus.PENDING


def test_one_open_referral_per_case_and_service(worker, case, service, agreement) -> None:
    refer(worker, case, service)
    with pytest.raises(ValidationError):
        refer(worker, case, service)
    assert Referral.objects.count() == 1


def test_the_partner_sees_only_the_shared_fields(
    worker, partner_worker, person, case, service, agreement
) -> None:
    referral = refer(worker, case, service)

    view = selectors.referral_shared_get(user=partner_worker, pk=referral.pk)

    assert isinstance(view, ReferralSharedView)
    assert view.shared_data == {
        "full_name": "Amina Mohammed",
        "age": referral.shared_data["age"],
        "phone": "+211 900 000 001",
    }
    assert [item.field for item in view.shared] == ["full_name", "age", "phone"]
    assert view.from_agency == "MPU" and view.reason == referral.reason
    # Nothing of the case: no case number, person, summary, risk or case worker.
    attributes = set(vars(view))
    assert not attributes & {"case", "case_id", "case_number", "summary", "risk_level"}
    assert not attributes & {"created_by", "consent_obtained_by", "shared_fields"}
    text = repr(view)
    assert case.case_number not in text
    assert person.registration_number not in text
    assert "neighbour" not in text  # the case summary
    # And the case itself stays out of reach.
    with pytest.raises(Http404):
        selectors.case_get(user=partner_worker, pk=case.pk)
    with pytest.raises(Http404):
        timeline.case_timeline(user=partner_worker, case=case)


def test_the_shared_values_are_those_of_the_day_the_referral_left(
    worker, officer, person, partner_worker, case, service, agreement
) -> None:
    from cases.registry.services import person_update

    referral = refer(worker, case, service)
    person_update(actor=officer, person=person, changes={"phone": "+211 999 999 999"})

    view = selectors.referral_shared_get(user=partner_worker, pk=referral.pk)
    assert view.shared_data["phone"] == "+211 900 000 001"


def test_the_partner_accepts_then_completes_and_the_sender_sees_it(
    worker, partner_worker, case, service, agreement
) -> None:
    referral = refer(worker, case, service)
    referral_answers.referral_accept(actor=partner_worker, referral=referral)
    with pytest.raises(ValidationError):
        referral_answers.referral_complete(actor=partner_worker, referral=referral, outcome=" ")
    referral_answers.referral_complete(
        actor=partner_worker, referral=referral, outcome="Treated; follow-up in 2 weeks."
    )

    sent = selectors.referral_sent_get(user=worker, pk=referral.pk)
    assert sent.status == ReferralStatus.COMPLETED
    assert sent.responded_by == partner_worker
    assert sent.outcome == "Treated; follow-up in 2 weeks."
    actions = [e.action for e in timeline.case_timeline(user=worker, case=case)]
    assert actions[-2:] == ["case.referral_accept", "case.referral_complete"]


def test_the_partner_declines_with_a_reason(
    worker, partner_worker, case, service, agreement
) -> None:
    referral = refer(worker, case, service)
    with pytest.raises(ValidationError):
        referral_answers.referral_decline(actor=partner_worker, referral=referral, reason="")
    referral_answers.referral_decline(
        actor=partner_worker, referral=referral, reason="No female doctor this week."
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    for move in (referral_answers.referral_accept,):
        with pytest.raises(ValidationError):
            move(actor=partner_worker, referral=referral)
    with pytest.raises(ValidationError):
        referral_answers.referral_cancel(actor=worker, referral=referral, reason="Too late.")


def test_illegal_answers_are_refused(worker, partner_worker, case, service, agreement) -> None:
    referral = refer(worker, case, service)
    with pytest.raises(ValidationError) as error:
        referral_answers.referral_complete(actor=partner_worker, referral=referral, outcome="Done")
    assert "accepted" in str(error.value)
    referral_answers.referral_accept(actor=partner_worker, referral=referral)
    with pytest.raises(ValidationError):
        referral_answers.referral_accept(actor=partner_worker, referral=referral)
    with pytest.raises(ValidationError):
        referral_answers.referral_decline(actor=partner_worker, referral=referral, reason="No.")


def test_only_the_receiving_agency_answers_and_only_the_sender_cancels(
    worker, colleague, other_officer, partner_worker, case, service, agreement
) -> None:
    referral = refer(worker, case, service)
    for outsider in (worker, colleague, other_officer):
        with pytest.raises(PermissionDenied):
            referral_answers.referral_accept(actor=outsider, referral=referral)
    with pytest.raises(PermissionDenied):
        referral_answers.referral_cancel(actor=partner_worker, referral=referral, reason="No.")

    referral_answers.referral_cancel(actor=colleague, referral=referral, reason="Moved away.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    # The partner still sees that it was cancelled, and why.
    view = selectors.referral_shared_get(user=partner_worker, pk=referral.pk)
    assert view.status == ReferralStatus.CANCELLED and view.cancel_reason == "Moved away."


def test_the_partner_api_client_answers_referrals(
    worker, partner, case, service, agreement
) -> None:
    from tests.casework.conftest import make_user

    client = make_user(partner, "partner_api", "whp_api")
    referral = refer(worker, case, service)
    assert [r.pk for r in selectors.referral_inbox(user=client)] == [referral.pk]
    referral_answers.referral_accept(actor=client, referral=referral)


def test_an_override_by_a_worker_waits_for_a_supervisor_and_is_not_sent(
    worker, supervisor, partner_worker, child, service, agreement
) -> None:
    case = open_case(worker, child, case_type="child_protection", risk_level="critical")
    override = referrals.Override(
        reason="best_interests_child", justification="The caregiver is the alleged abuser."
    )

    referral = refer(worker, case, service, consent=None, override=override)

    assert referral.status == ReferralStatus.AWAITING_APPROVAL
    assert referral.sent_at is None and referral.shared_data == {}
    assert not selectors.referral_inbox(user=partner_worker).exists()
    approval = CaseApproval.objects.get(referral=referral)
    assert approval.kind == "consent_override"
    with pytest.raises(PermissionDenied):
        referrals.referral_override_approve(actor=worker, approval=approval)  # not a supervisor
    referrals.referral_override_approve(actor=supervisor, approval=approval)

    referral.refresh_from_db()
    approval.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert referral.override_approved_by == supervisor
    assert approval.status == ApprovalStatus.APPROVED
    assert [r.pk for r in selectors.referral_inbox(user=partner_worker)] == [referral.pk]


def test_an_override_by_a_supervisor_is_sent_at_once(
    supervisor, person, service, agreement
) -> None:
    case = open_case(supervisor, person, case_type="gbv", risk_level="critical")
    override = referrals.Override(reason="vital_interest", justification="Unconscious.")
    referral = refer(supervisor, case, service, consent=None, override=override)
    assert referral.status == ReferralStatus.PENDING
    assert referral.override_approved_by == supervisor


def test_a_rejected_override_cancels_the_referral(
    worker, supervisor, child, service, agreement
) -> None:
    case = open_case(worker, child, case_type="child_protection")
    override = referrals.Override(reason="best_interests_child", justification="Abuse at home.")
    referral = refer(worker, case, service, consent=None, override=override)
    approval = CaseApproval.objects.get(referral=referral)

    referrals.referral_override_reject(actor=supervisor, approval=approval, reason="Ask again.")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED and referral.sent_at is None


def test_the_best_interests_of_a_child_do_not_apply_to_an_adult(
    worker, case, service, agreement
) -> None:
    override = referrals.Override(reason="best_interests_child", justification="Because.")
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        refer(worker, case, service, consent=None, override=override)
    assert "override_reason" in error.value.message_dict
    _nothing_written(events)


def test_consent_and_override_together_are_refused(worker, case, service, agreement) -> None:
    override = referrals.Override(reason="vital_interest", justification="Because.")
    with pytest.raises(ValidationError):
        refer(worker, case, service, override=override)
