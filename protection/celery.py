"""The Celery app: configured from Django settings (namespace CELERY), tasks autodiscovered."""

import logging
import os
from typing import Any

from celery import Celery, bootsteps

# Importing the project package (as gunicorn does) must never fall back to the development
# settings; manage.py, the Makefile and the Procfile name the settings they want.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.production")

logger = logging.getLogger(__name__)

app = Celery("protection")
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
