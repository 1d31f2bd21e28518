"""Fixtures for the pipeline's health: deliveries in every state for two agencies, the people
who may look, and brokers that answer, refuse or freeze."""

import contextlib
import datetime
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import time_machine
from django.utils import timezone

from protection.accounts.models import User
from protection.health import broker
from protection.notifications.models import Delivery, DeliveryChannel
from protection.notifications.services import sending
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests import factories
from tests.celery_worker import point_app_at, redis_broker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def _fresh_ping() -> Iterator[None]:
    """Every test asks the workers afresh: the kept answer of another test is not its own."""
    broker.forget_workers()
    yield
    broker.forget_workers()


@pytest.fixture
def quick_broker_checks(settings: Any) -> None:
    settings.PIPELINE_BROKER_TIMEOUT_SECONDS = 0.5


@pytest.fixture
def test_broker(settings: Any) -> Iterator[str]:
    """The test run's own Redis database, flushed before and after."""
    with redis_broker(settings.CELERY_BROKER_URL) as url:
        yield url


@contextlib.contextmanager
def pointed_at(url: str) -> Iterator[str]:
    from protection.celery import app

    previous = app.conf.broker_url
    point_app_at(url)
    try:
        yield url
    finally:
        point_app_at(previous)


@pytest.fixture
def refused_broker() -> Iterator[str]:
    """A broker URL where nothing listens: every connection is refused at once."""
    with pointed_at(f"redis://127.0.0.1:{free_port()}/0") as url:
        yield url


@pytest.fixture
def frozen_broker() -> Iterator[str]:
    """A Redis of this test's own, stopped with SIGSTOP: it accepts connections, never answers."""
    port = free_port()
    program = shutil.which("redis-server") or "/usr/bin/redis-server"
    server = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
        [
            program,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()
        os.kill(server.pid, signal.SIGSTOP)
        with pointed_at(f"redis://127.0.0.1:{port}/0") as url:
            yield url
    finally:
        os.kill(server.pid, signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(
        username="root", email="root@example.org", password=factories.PASSWORD
    )


@pytest.fixture
def agency_admin(agency: Any) -> User:
    return factories.UserFactory.create(
        agency=agency, role="admin", is_staff=True, username="mpu_admin"
    )


@pytest.fixture
def other_admin(other_agency: Any) -> User:
    return factories.UserFactory.create(
        agency=other_agency, role="admin", is_staff=True, username="orl_admin"
    )


def queue_one(source: Any, recipient: Recipient, occasion: str) -> Delivery:
    (delivery,) = deliveries_queue(
        source=source,
        occasion=occasion,
        event="test.event",
        recipients=[recipient],
        compose=lambda r: Content(subject="Something happened", body="Please look."),
        payload={},
    )
    return delivery


@pytest.fixture
def local_webhooks(settings: Any) -> None:
    """Let a webhook go to 127.0.0.1 over plain HTTP (where nothing answers, here)."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 2


@pytest.fixture
def outbox(
    site: Any, officer: Any, other_officer: Any, local_webhooks: None
) -> dict[str, list[Delivery]]:
    """Deliveries of the officer's agency (MPU) and of another (ORL), in every state.

    MPU: 2 pending (the older written 10 minutes ago), 1 failed (a webhook nobody answers),
    1 dead today (no e-mail address), 1 dead two days ago, 1 sent.
    ORL: 1 pending (written an hour ago), 1 dead today.
    """
    now = timezone.now()
    nobody = factories.UserFactory.create(agency=officer.agency, role="case_worker", email="")
    stranger = factories.UserFactory.create(
        agency=other_officer.agency, role="case_worker", email=""
    )
    in_app = DeliveryChannel.IN_APP
    email = DeliveryChannel.EMAIL
    with time_machine.travel(now - datetime.timedelta(minutes=10), tick=False):
        old_pending = queue_one(site, Recipient(in_app, user=officer), "old")
    with time_machine.travel(now - datetime.timedelta(hours=1), tick=False):
        other_pending = queue_one(site, Recipient(in_app, user=other_officer), "old")
    pending = queue_one(site, Recipient(email, user=officer), "new")
    partner_system = factories.UserFactory.create(agency=officer.agency, role="partner_api")
    subscription = webhook_subscription_create(
        actor=partner_system, url=f"http://127.0.0.1:{free_port()}/hook", events=["alert.raised"]
    ).subscription
    failed = queue_one(site, Recipient(DeliveryChannel.WEBHOOK, subscription=subscription), "new")
    dead = queue_one(site, Recipient(email, user=nobody), "new")
    dead_long_ago = queue_one(site, Recipient(email, user=nobody), "older")
    other_dead = queue_one(site, Recipient(email, user=stranger), "new")
    sent = queue_one(site, Recipient(in_app, user=officer), "sent")
    for delivery in (failed, dead, other_dead, sent):
        sending.delivery_send(delivery_id=delivery.pk, now=now)
    sending.delivery_send(delivery_id=dead_long_ago.pk, now=now - datetime.timedelta(days=2))
    return {
        "mpu_pending": [old_pending, pending],
        "mpu_failed": [failed],
        "mpu_dead": [dead],
        "orl_pending": [other_pending],
        "orl_dead": [other_dead],
    }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test on the real broker (the `test_broker` fixture) is an integration test: it flushes
    the run's Redis database, so it runs in `make test`'s one process, not in test-fast's."""
    for item in items:
        if "test_broker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)
