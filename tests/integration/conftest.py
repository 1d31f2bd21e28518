"""A real Celery worker against the real Redis on 127.0.0.1, for the integration tests.

The worker runs as a subprocess (`celery worker --pool=solo`) on its own Redis database and on
the pytest test database, so that it sees exactly the rows the test committed. The test
process publishes to the same Redis database. The worker is always stopped, and that Redis
database flushed, when the test ends.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

from protection.celery import app

# A Redis database no other suite here uses (13: incidents and casework, 14: ops, 15: tests).
BROKER_URL = os.environ.get("PROTECTION_INTEGRATION_BROKER_URL", "redis://127.0.0.1:6379/12")
WORKER_START_SECONDS = 60


def wait_for(condition: Callable[[], Any], *, timeout: float = 30, interval: float = 0.2) -> Any:
    """Poll until `condition()` is truthy and return it; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting after {timeout} s.")
        time.sleep(interval)


@pytest.fixture
def broker() -> Iterator[str]:
    """Point the Celery app of this process at a Redis database of its own, flushed."""
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover - depends on the machine
        pytest.fail(f"Redis is not answering at {BROKER_URL}; the integration tests need it.")
    client.flushdb()
    previous = app.conf.broker_url
    app.close()  # drop pooled connections to the previous broker
    app.conf.broker_url = BROKER_URL
    try:
        yield BROKER_URL
    finally:
        app.close()
        app.conf.broker_url = previous
        client.flushdb()
        client.close()


def _database_url() -> str:
    """Return the URL of the test database this process uses (already renamed by pytest)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db: None, broker: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start a real worker on the test database and the test broker; stop it afterwards."""
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection.settings.test",
        "CELERY_BROKER_URL": broker,
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
    }
    name = f"integration-{uuid.uuid4().hex[:8]}@%h"
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "protection.celery:app",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            name,
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log_path = Path(log.name)
    try:

        def ready() -> bool:
            if worker.poll() is not None:
                pytest.fail(f"The worker exited early:\n{log_path.read_text()}")
            return " ready." in log_path.read_text()

        wait_for(ready, timeout=WORKER_START_SECONDS)
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck worker
            worker.kill()
            worker.wait(timeout=10)
        log.close()
        log_path.unlink(missing_ok=True)
