"""The heartbeat task beat sends on a schedule (PIPELINE_HEARTBEAT_SECONDS); a worker records it."""

from celery import shared_task

from protection.audit import task_context
from protection.health.services import heartbeat_record

HEARTBEAT = "protection.health.tasks.pipeline_heartbeat"


@shared_task(name=HEARTBEAT)
def pipeline_heartbeat() -> None:
    """Record that beat's heartbeat reached a worker."""
    with task_context():
        heartbeat_record()
