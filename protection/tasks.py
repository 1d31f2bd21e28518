"""Celery tasks of the foundation: they call a service and are safe to run twice."""

from celery import shared_task

from protection.audit import task_context
from protection.idempotency import idempotency_keys_purge

IDEMPOTENCY_KEYS_PURGE = "protection.tasks.idempotency_keys_purge"


@shared_task(name=IDEMPOTENCY_KEYS_PURGE)
def idempotency_keys_purge_task() -> int:
    """Delete the idempotency keys past their lifetime; return how many."""
    with task_context():
        return idempotency_keys_purge()
