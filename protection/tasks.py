"""Celery tasks of the foundation: they call a service and are safe to run twice."""

from celery import shared_task

from protection.audit import task_context
from protection.exports import DATA_EXPORT_RUN, export_job_run, exports_sweep
from protection.idempotency import idempotency_keys_purge
from protection.replicas import replica_reads
from protection.retention import retention_apply

IDEMPOTENCY_KEYS_PURGE = "protection.tasks.idempotency_keys_purge"
RETENTION_APPLY = "protection.tasks.retention_apply"
EXPORTS_SWEEP = "protection.tasks.exports_sweep"


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


@shared_task(name=DATA_EXPORT_RUN)
def data_export_run_task(export_id: int) -> str:
    """Write a queued export's file (its rows read from a replica, if any); return its status."""
    with task_context(), replica_reads():
        return str(export_job_run(export_id=export_id).status)


@shared_task(name=EXPORTS_SWEEP)
def exports_sweep_task() -> int:
    """Delete expired export files and requeue exports left waiting; return files deleted."""
    with task_context():
        return exports_sweep()
