"""A real Celery worker against the real Redis on 127.0.0.1, for the integration tests."""

import os
import subprocess
from collections.abc import Iterator

import pytest

from tests.celery_worker import redis_broker, running_worker, wait_for

__all__ = ["broker", "celery_worker", "wait_for"]

# A Redis database no other suite here uses (13: incidents and casework, 14: ops, 15: tests).
BROKER_URL = os.environ.get("PROTECTION_INTEGRATION_BROKER_URL", "redis://127.0.0.1:6379/12")


@pytest.fixture
def broker() -> Iterator[str]:
    """Point the Celery app of this process at a Redis database of its own, flushed."""
    with redis_broker(BROKER_URL) as url:
        yield url


@pytest.fixture
def celery_worker(transactional_db: None, broker: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start a real worker on the test database and the test broker; stop it afterwards."""
    with running_worker(broker_url=broker, name="integration") as worker:
        yield worker
