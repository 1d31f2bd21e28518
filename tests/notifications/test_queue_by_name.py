"""A web process, which never imports the tasks modules, still puts deliveries on the queue.

Only the worker discovers the tasks modules; the outbox publishes by the task's name. Looked up
in the local registry instead, the task is missing in gunicorn and `manage.py runserver`, the
publish fails, and every alert waits a minute or more for the sweeper.
"""

import os
import subprocess
import sys

import pytest
import redis
from django.conf import settings

from tests.celery_worker import redis_broker

WEB_PROCESS = """
import django
django.setup()
import sys
from protection.notifications.queue import DELIVERY_SEND, delivery_send_enqueue
assert not any(name.endswith(".tasks") and name.startswith(("protection", "incidents", "cases",
    "camps")) for name in sys.modules), "a tasks module was imported"
delivery_send_enqueue([4242])
print("published")
"""


# It flushes and consumes the run's Redis database: one process at a time (not in test-fast).
@pytest.mark.integration
def test_a_process_without_the_tasks_modules_publishes_a_delivery_by_name() -> None:
    with redis_broker(settings.CELERY_BROKER_URL) as url:
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
            [sys.executable, "-c", WEB_PROCESS],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "protection.settings.test",
                "CELERY_BROKER_URL": url,
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        queued = redis.Redis.from_url(url).lrange("celery", 0, -1)

    assert result.returncode == 0, result.stderr
    assert "published" in result.stdout
    assert len(queued) == 1
    assert b"protection.notifications.tasks.delivery_send" in queued[0]
    assert b"4242" in queued[0]
