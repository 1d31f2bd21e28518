"""Celery tasks for casework: they take ids, call a service, and are safe to run twice."""

from celery import shared_task

from cases.casework.reminders import referral_overdue_remind, referrals_due_for_reminder
from protection.audit import task_context


@shared_task(name="cases.tasks.referral_overdue_remind")
def referral_overdue_remind_task(referral_id: int) -> bool:
    """Remind both sides of one overdue referral (nothing happens if reminded lately)."""
    with task_context():
        return referral_overdue_remind(referral_id=referral_id)


@shared_task(name="cases.tasks.referral_overdue_remind_all")
def referral_overdue_remind_all() -> int:
    """Queue one reminder task per overdue referral due for a reminder; return how many."""
    referral_ids = list(referrals_due_for_reminder().values_list("pk", flat=True))
    for referral_id in referral_ids:
        referral_overdue_remind_task.delay(referral_id)
    return len(referral_ids)
