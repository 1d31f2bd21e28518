"""The worker survives losing Redis while a message is unacknowledged, and works on afterwards.

Celery 5.7.0 died here ("Unrecoverable error: AttributeError('NoneType' object has no attribute
'hostname')"): after that nothing was sent, swept or escalated until someone restarted it.
pyproject.toml pins the versions this test passes on. The worker runs the prefork pool with two
processes, as in production: one holds a task while the worker's event loop waits on the broker
for the next (the crash needs both), and notices the lost connection. The broker is a
redis-server of the test's own (tests/redis_server.py, durable), never the shared one.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from camps import tasks
from camps.models import PopulationSnapshot
from protection.celery import app
from tests.celery_worker import redis_broker, running_worker, wait_for
from tests.factories import SiteFactory
from tests.redis_server import RedisServer, redis_server

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

HOLD_SECONDS = 4


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    with redis_server(durable=True) as server, redis_broker(server.url()):
        yield server


def _kill_and_restart(server: RedisServer) -> None:
    server.restart(down_seconds=2)


def _kill_client_connections(server: RedisServer) -> None:
    """Drop every connection of the worker while Redis itself stays up."""
    with server.client() as client:
        assert client.client_kill_filter(_type="normal", skipme=True) >= 1


@pytest.mark.parametrize(
    "drop", [_kill_and_restart, _kill_client_connections], ids=["redis-restart", "client-kill"]
)
def test_the_worker_survives_the_broker_dropping_a_message_in_flight(
    transactional_db: None,
    own_redis: RedisServer,
    tmp_path: Path,
    drop: Callable[[RedisServer], None],
) -> None:
    site = SiteFactory.create()
    journal = tmp_path / "journal"
    journal.touch()
    log = tmp_path / "worker.log"

    def lines() -> list[str]:
        return journal.read_text(encoding="utf-8").splitlines()

    with running_worker(
        broker_url=own_redis.url(),
        name="broker-loss",
        settings_module="tests.integration.broker_loss_settings",
        pool="prefork",
        concurrency=2,
        log_path=log,
    ) as worker:
        app.send_task("tests.broker_loss.hold", args=[str(journal), "in-flight", HOLD_SECONDS])
        wait_for(lambda: "in-flight started" in lines(), timeout=20)
        with own_redis.client() as client:
            assert client.hlen("unacked") == 1  # the message is held, not yet acknowledged

        drop(own_redis)

        # A task sent once the broker is back runs: new work is not stuck behind the outage.
        tasks.population_snapshot_take_all.delay()
        wait_for(lambda: PopulationSnapshot.objects.filter(site=site).exists(), timeout=45)

        # The message in flight is finished (or delivered again and finished), not lost, and
        # nothing is left unacknowledged to come back an hour later.
        wait_for(lambda: "in-flight done" in lines(), timeout=20)
        with own_redis.client() as client:
            wait_for(lambda: client.hlen("unacked") == 0 and client.llen("celery") == 0)
        assert worker.poll() is None, log.read_text()
    assert "Unrecoverable error" not in log.read_text()
