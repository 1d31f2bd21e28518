"""Overdue referrals, actions and follow-ups are derived from dates; reminders go to both sides."""

import datetime

import pytest
from django.utils import timezone

from cases import tasks
from cases.casework import referral_answers, reminders, selectors
from cases.models import CaseAction, CaseFollowUp, CaseStatus, Referral
from protection.models import AuditEvent
from protection.notifications.models import Delivery
from tests.casework.conftest import advance, refer


def _past_due(referral: Referral, hours: int = 1) -> Referral:
    """Let the deadline pass (the clock moves; the referral's state does not)."""
    Referral.objects.filter(pk=referral.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    referral.refresh_from_db()
    return referral


@pytest.fixture
def referral(worker, case, service, agreement) -> Referral:
    return refer(worker, case, service)


def test_a_pending_referral_past_its_deadline_is_overdue_on_both_sides(
    worker, partner_worker, referral
) -> None:
    assert not referral.is_overdue
    assert not selectors.referral_sent_get(user=worker, pk=referral.pk).is_overdue

    _past_due(referral)

    assert referral.is_overdue
    assert selectors.referral_sent_get(user=worker, pk=referral.pk).is_overdue
    assert selectors.referral_shared_get(user=partner_worker, pk=referral.pk).overdue
    assert list(selectors.referral_inbox(user=partner_worker, filters={"overdue": "true"})) == [
        referral
    ]
    assert list(selectors.referral_sent_list(user=worker, filters={"overdue": "false"})) == []


def test_an_answered_referral_is_not_overdue(partner_worker, referral) -> None:
    referral_answers.referral_accept(actor=partner_worker, referral=referral)
    referral = _past_due(referral)
    assert not referral.is_overdue
    assert not reminders.referrals_due_for_reminder().exists()


def test_a_reminder_reaches_both_sides_without_personal_data(
    worker, partner_worker, person, case, referral
) -> None:
    _past_due(referral)
    assert list(reminders.referrals_due_for_reminder()) == [referral]

    assert reminders.referral_overdue_remind(referral_id=referral.pk)

    deliveries = Delivery.objects.filter(event="referral.overdue")
    assert {(d.recipient_user_id, d.channel) for d in deliveries} == {
        (worker.pk, "in_app"),
        (worker.pk, "email"),
        (partner_worker.pk, "in_app"),
        (partner_worker.pk, "email"),
    }
    for delivery in deliveries:
        assert referral.code in delivery.subject
        for secret in (person.given_name, person.registration_number, case.case_number):
            assert secret not in delivery.subject + delivery.body
    sender_body = deliveries.get(recipient_user=worker, channel="in_app").body
    assert "refer the person elsewhere" in sender_body
    assert "referral inbox" in deliveries.get(recipient_user=partner_worker, channel="email").body
    event = AuditEvent.objects.get(action="case.referral_remind")
    assert event.actor is None and event.object_id == str(case.pk)


def test_reminding_twice_within_the_interval_sends_nothing_more(referral) -> None:
    _past_due(referral)
    assert reminders.referral_overdue_remind(referral_id=referral.pk)
    count = Delivery.objects.count()

    assert not reminders.referral_overdue_remind(referral_id=referral.pk)
    assert not reminders.referrals_due_for_reminder().exists()
    assert Delivery.objects.count() == count

    later = timezone.now() + datetime.timedelta(hours=25)
    assert list(reminders.referrals_due_for_reminder(now=later)) == [referral]
    assert reminders.referral_overdue_remind(referral_id=referral.pk, now=later)
    assert Delivery.objects.count() == 2 * count


def test_a_referral_not_yet_due_is_not_reminded(referral) -> None:
    assert not reminders.referral_overdue_remind(referral_id=referral.pk)
    assert not Delivery.objects.exists()


def test_the_beat_task_queues_one_reminder_per_due_referral(referral, monkeypatch) -> None:
    _past_due(referral)
    queued: list[int] = []
    monkeypatch.setattr(tasks.referral_overdue_remind_task, "delay", queued.append)

    assert tasks.referral_overdue_remind_all() == 1
    assert queued == [referral.pk]
    assert tasks.referral_overdue_remind_task(referral.pk) is True
    assert tasks.referral_overdue_remind_task(referral.pk) is False


def test_overdue_actions_and_follow_ups_are_flagged_on_the_caseload(worker, case) -> None:
    case = advance(worker, case, CaseStatus.FOLLOW_UP)
    action = case.actions.get()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert selectors.case_list(user=worker, filters={"overdue_actions": "true"}).count() == 0

    CaseAction.objects.filter(pk=action.pk).update(due_on=yesterday)  # the day passed
    from cases.casework import plan

    plan.follow_up_record(
        actor=worker,
        case=case,
        contact_type="phone_call",
        notes="Fine.",
        followed_up_on=timezone.localdate(),
        next_follow_up_on=timezone.localdate(),
    )
    CaseFollowUp.objects.filter(case=case).update(
        followed_up_on=yesterday, next_follow_up_on=yesterday
    )

    row = selectors.case_list(user=worker, filters={"overdue_actions": "true"}).get()
    assert row.overdue_actions == 1 and row.follow_up_overdue
    assert CaseAction.objects.get(pk=action.pk).is_overdue
    summary = selectors.caseload_counts(user=worker, filters={"mine": True})
    assert summary.total == 1
    assert [(status, total) for status, _label, total in summary.by_status] == [
        (CaseStatus.FOLLOW_UP, 1)
    ]
    assert summary.overdue_actions == 1 and summary.follow_up_overdue == 1

    plan.case_action_update(actor=worker, action=action, status="done")
    assert not selectors.case_list(user=worker, filters={"overdue_actions": "true"}).exists()
