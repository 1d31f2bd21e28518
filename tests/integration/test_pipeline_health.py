"""The pipeline's health against the real thing: a Celery worker and beat on the real Redis.

Beat sends its heartbeat every second here; the worker records it; the monitor's JSON then
shows the worker answering and a fresh heartbeat. Stopping the worker shows it gone.
"""

import contextlib
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from protection.accounts.models import User
from protection.health import broker as health_broker
from protection.health import figures as f
from protection.health.models import Heartbeat
from tests.celery_worker import database_url
from tests.integration.conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@contextlib.contextmanager
def running_beat(broker_url: str, heartbeat_seconds: float) -> Iterator[None]:
    """Run `celery beat` on the test database and broker; always stop it."""
    folder = Path(tempfile.mkdtemp(prefix="beat-"))
    log = (folder / "beat.log").open("wb")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection.settings.test",
        "CELERY_BROKER_URL": broker_url,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "PIPELINE_HEARTBEAT_SECONDS": str(heartbeat_seconds),
    }
    beat = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "protection.celery:app",
            "beat",
            "--loglevel=INFO",
            f"--schedule={folder / 'schedule'}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck beat
            beat.kill()
            beat.wait(timeout=10)
        log.close()


def test_beat_and_a_worker_keep_the_pipeline_healthy_and_a_stopped_worker_shows(
    celery_worker: subprocess.Popen[bytes], broker: str, client: Client, settings: Any
) -> None:
    settings.PIPELINE_HEALTH_TOKEN = "x" * 40
    settings.PIPELINE_PING_CACHE_SECONDS = 0
    monitor = {"Authorization": f"Bearer {'x' * 40}"}
    health_broker.forget_workers()

    with running_beat(broker, heartbeat_seconds=1):
        first = wait_for(lambda: Heartbeat.objects.filter(name="beat").first(), timeout=60)
        wait_for(lambda: Heartbeat.objects.get(name="beat").beat_at > first.beat_at, timeout=30)
        body = client.get("/health/pipeline", headers=monitor).json()

    workers = body["figures"][f.WORKERS]
    assert workers["value"] == 1
    assert workers["workers"][0].startswith("integration-")
    assert workers["status"] == "ok"
    beat = body["figures"][f.BEAT_AGE]
    assert beat["value"] < 5
    assert beat["status"] == "ok"
    assert body["figures"][f.QUEUE_DEPTH]["status"] == "ok"

    celery_worker.terminate()
    celery_worker.wait(timeout=20)
    gone = client.get("/health/pipeline", headers=monitor)
    assert gone.status_code == 503
    assert gone.json()["figures"][f.WORKERS]["value"] == 0
    assert User.objects.count() == 0  # the token alone opened it
