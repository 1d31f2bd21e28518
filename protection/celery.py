"""The Celery app: configured from Django settings (namespace CELERY), tasks autodiscovered."""

import gc
import logging
import os
from typing import Any

from celery import Celery, Task, bootsteps, signals
from celery.worker.request import Request

# Importing the project package (as gunicorn does) must never fall back to the development
# settings; manage.py, the Makefile and the Procfile name the settings they want.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.production")

logger = logging.getLogger(__name__)


class ReconnectingRequest(Request):
    """A task request whose failed acknowledgement makes the worker reconnect.

    Celery logs a failed ack ("Couldn't ack ..., reason: TimeoutError") and goes on. When Redis
    froze, the error came while the event loop was still waiting on a connection that redis-py
    had just dropped: the worker sat connected to nothing, took no task after the thaw, and never
    said so. Given no errors to swallow, the ack (run by the event loop) raises instead, and the
    consumer's own handling of a lost connection takes over: it reconnects, gives the
    unacknowledged message back to the queue (a delivery's claim makes its second run send
    nothing) and runs CatchUpOnConnect.
    """

    acknowledged: bool

    def acknowledge(self) -> None:
        if not self.acknowledged:
            self._on_ack(logger, ())
            self.acknowledged = True

    def reject(self, requeue: bool = False) -> None:
        if not self.acknowledged:
            self._on_reject(logger, (), requeue)
            self.acknowledged = True
            self.send_event("task-rejected", requeue=requeue)


class ProtectionTask(Task):
    Request = ReconnectingRequest


app = Celery("protection", task_cls=ProtectionTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# What a worker queues each time it connects to the broker (at start, and after an outage):
# the work that the database's deadlines decide, which beat may have fired into a broker that
# was down. Due alerts are whoever is past their deadline, however late the scan; deliveries
# written while the broker was away are in no queue, so the sweep takes every pending row now
# (one that was queued after all is queued twice and sent once).
CATCH_UP_ON_CONNECT: tuple[tuple[str, dict[str, Any]], ...] = (
    ("incidents.tasks.alerts_escalate_due", {}),
    ("protection.notifications.tasks.deliveries_sweep", {"after_seconds": 0}),
    # Bulk imports that a dead worker left half done resume from their last committed batch.
    ("cases.tasks.registry_imports_resume", {}),
)


class CatchUpOnConnect(bootsteps.StartStopStep):
    """Queue the catch-up tasks each time the worker's consumer (re)connects."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, parent: Any) -> None:
        for task, kwargs in CATCH_UP_ON_CONNECT:
            try:
                parent.app.send_task(task, kwargs=kwargs)
            except Exception:
                logger.warning("Could not queue %s on connecting; beat will.", task, exc_info=True)


app.steps["consumer"].add(CatchUpOnConnect)


@signals.worker_ready.connect
@signals.beat_init.connect
def freeze_the_start_up_heap(**_kwargs: Any) -> None:
    """Leave what start-up built (Django, the apps, the schema) out of every garbage collection.

    At exit the interpreter's last collection walked that whole heap: on a busy two-core
    machine a stopping worker spent seconds in it, past honcho's and compose's grace periods,
    and was killed. Pool processes forked later share those pages instead of copying them.
    """
    gc.freeze()
