"""Celery tasks of the foundation: they call a service and are safe to run twice."""

from celery import shared_task

from protection.audit import task_context
from protection.idempotency import idempotency_keys_purge
from protection.retention import retention_apply

IDEMPOTENCY_KEYS_PURGE = "protection.tasks.idempotency_keys_purge"
RETENTION_APPLY = "protection.tasks.retention_apply"


@shared_task(name=IDEMPOTENCY_KEYS_PURGE)
def idempotency_keys_purge_task() -> int:
    """Delete the idempotency keys past their lifetime; return how many."""
    with task_context():
        return idempotency_keys_purge()


@shared_task(name=RETENTION_APPLY)
def retention_apply_task() -> dict[str, int]:
    """Apply every enabled retention rule; return how many records each kind changed.

    Safe to run twice: what was anonymised or deleted is no longer found.
    """
    with task_context():
        return {result.kind: result.total for result in retention_apply()}
