"""Celery tasks for casework: they take ids, call a service, and are safe to run twice."""

from celery import shared_task

from cases.casework.reminders import referral_overdue_remind, referrals_due_for_reminder
from cases.registry.imports.commit import registry_import_commit
from cases.registry.imports.dry_run import registry_import_dry_run
from cases.registry.imports.services import registry_imports_resume
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


@shared_task(name="cases.tasks.registry_import_dry_run")
def registry_import_dry_run_task(import_id: int) -> bool:
    """Check every row of an import (nothing is registered); a second delivery does nothing."""
    with task_context():
        return registry_import_dry_run(import_id=import_id)


@shared_task(name="cases.tasks.registry_import_commit")
def registry_import_commit_task(import_id: int) -> bool:
    """Import the accepted rows, resuming after the last committed batch."""
    with task_context():
        return registry_import_commit(import_id=import_id)


@shared_task(name="cases.tasks.registry_imports_resume")
def registry_imports_resume_task() -> int:
    """Queue again the imports whose worker died mid-way; return how many."""
    return registry_imports_resume()
