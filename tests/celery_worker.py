"""A real Celery worker against the real Redis on 127.0.0.1, shared by the integration tests.

The worker runs as a subprocess (`celery worker --pool=solo`) on a Redis database of the
test's own and on the pytest test database, so that it sees exactly the rows the test
committed; this process publishes to the same Redis database. The worker is always stopped
and the Redis database flushed when the test ends.
"""

import contextlib
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
from kombu import pools

from protection.celery import app

WORKER_START_SECONDS = 60


def wait_for(condition: Callable[[], Any], *, timeout: float = 30, interval: float = 0.1) -> Any:
    """Poll until `condition()` is truthy and return it; fail the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting after {timeout} s.")
        time.sleep(interval)


def point_app_at(url: str) -> None:
    """Make this process publish to `url` from now on.

    Both the connection pool and the producer pool (which keeps its own connection) are
    dropped; `app.close()` alone leaves the producer pool on the previous broker.
    """
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration, so a
    # run that sets it (parallel runs each take their own Redis database) must move it too.
    if "CELERY_BROKER_URL" in os.environ:
        os.environ["CELERY_BROKER_URL"] = url
    # kombu caches pools per broker URL process-wide: close and forget them all.
    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app.conf.broker_url = url
    # The Django setting by its own name too: celery 5.6 finds CELERY_BROKER_URL (the namespace)
    # before an override of broker_url made after the configuration was read.
    app.conf["CELERY_BROKER_URL"] = url


@contextlib.contextmanager
def redis_broker(url: str) -> Iterator[str]:
    """Publish to the Redis database at `url`, flushed before and after the block."""
    if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1) > 1:
        # Each suite's Redis database is one per run, not one per process: two processes would
        # flush each other's queues and their workers would take each other's tasks.
        pytest.fail("The tests with a real Celery worker run in one process: `make test`, no -n.")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover - depends on the machine
        pytest.fail(f"Redis is not answering at {url}; the integration tests need it.")
    client.flushdb()
    previous = app.conf.broker_url
    point_app_at(url)
    try:
        yield url
    finally:
        point_app_at(previous)
        client.flushdb()
        client.close()


def database_url() -> str:
    """Return the URL of the test database this process uses (already renamed by pytest)."""
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@contextlib.contextmanager
def running_worker(
    *,
    broker_url: str,
    name: str,
    settings_module: str = "protection.settings.test",
    extra_env: dict[str, str] | None = None,
    pool: str = "solo",
    concurrency: int = 1,
    log_path: Path | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a worker on the test database and `broker_url`; always stop it.

    The solo pool unless `pool` says otherwise ("prefork" runs `concurrency` child processes,
    as production does). The log is deleted afterwards unless `log_path` names its file.
    """
    if log_path is None:
        handle, temporary = tempfile.mkstemp(prefix=f"{name}-", suffix=".log")
        os.close(handle)
    log_file = log_path or Path(temporary)
    log = log_file.open("wb")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "CELERY_BROKER_URL": broker_url,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        **(extra_env or {}),
    }
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "protection.celery:app",
            "worker",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def ready() -> bool:
            if worker.poll() is not None:
                pytest.fail(f"The worker exited early:\n{log_file.read_text()}")
            return " ready." in log_file.read_text()

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
        if log_path is None:
            log_file.unlink(missing_ok=True)
