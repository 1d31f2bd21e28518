"""Fixtures for incidents and alerts: reporters, policies with tiers, incident data.

The integration fixtures (a real Celery worker on Redis database 13, a local webhook receiver)
live here too, because the worker needs settings of its own: emails written to files the test
can read, and webhooks allowed to reach 127.0.0.1.
"""

import datetime
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import pools

from camps.models import Site
from incidents.models import (
    EscalationPolicy,
    EscalationTier,
    IncidentType,
    PerpetratorCategory,
    PolicyTrigger,
    TierRecipient,
)
from incidents.services import IncidentData, IncidentReport, incident_report
from partners.models import PartnerAgency
from protection.accounts.models import User
from protection.celery import app
from tests import factories
from tests.notifications.receiver import WebhookReceiver

INTEGRATION_BROKER_URL = "redis://127.0.0.1:6379/13"
WORKER_START_SECONDS = 60


def make_user(**fields: Any) -> User:
    """Create a user with the factory (typed as the model it builds)."""
    return cast(User, factories.UserFactory(**fields))


def make_agency(**fields: Any) -> PartnerAgency:
    """Create an agency with the factory (typed as the model it builds)."""
    return cast(PartnerAgency, factories.AgencyFactory(**fields))


def make_site(**fields: Any) -> Site:
    """Create a site with the factory (typed as the model it builds)."""
    return cast(Site, factories.SiteFactory(**fields))


def incident_type(code: str) -> IncidentType:
    return IncidentType.objects.get(code=code)


def incident_data(**overrides: Any) -> IncidentData:
    """Return a valid report of a serious abduction an hour ago; override any field."""
    values: dict[str, Any] = {
        "incident_type": incident_type("abduction"),
        "severity": 3,
        "occurred_at": timezone.now() - datetime.timedelta(hours=1),
        "perpetrator_category": PerpetratorCategory.objects.get(code="non_state_armed_group"),
        "source": "witness",
        "description": "Two men taken from the market by an armed group.",
        "male_adults": 2,
    }
    if isinstance(overrides.get("incident_type"), str):
        overrides["incident_type"] = incident_type(overrides["incident_type"])
    values.update(overrides)
    return IncidentData(**values)


def report(actor: Any, **overrides: Any) -> IncidentReport:
    """Report an incident through the service, as an officer would."""
    return incident_report(actor=actor, data=incident_data(**overrides))


def make_policy(
    *,
    tiers: Sequence[dict[str, Any]],
    name: str = "Serious incidents",
    trigger: str = PolicyTrigger.INCIDENT,
    types: Sequence[str] = (),
    minimum_severity: int = 1,
    sites: Sequence[Any] = (),
    deadline_minutes: int = 30,
) -> EscalationPolicy:
    """Create a policy; each tier is {"users": [...], "roles": [(agency, role)], "agencies": [...],
    "in_app": bool, "email": bool, "webhook": bool, "deadline": minutes}."""
    policy = EscalationPolicy.objects.create(
        name=name,
        trigger=trigger,
        minimum_severity=minimum_severity,
        ack_deadline_minutes=deadline_minutes,
    )
    policy.incident_types.set(IncidentType.objects.filter(code__in=types))
    policy.sites.set(sites)
    for level, spec in enumerate(tiers, start=1):
        tier = EscalationTier.objects.create(
            policy=policy,
            level=spec.get("level", level),
            notify_in_app=spec.get("in_app", True),
            notify_email=spec.get("email", False),
            notify_webhook=spec.get("webhook", False),
            ack_deadline_minutes=spec.get("deadline"),
        )
        for user in spec.get("users", ()):
            TierRecipient.objects.create(tier=tier, kind="user", user=user)
        for agency, role in spec.get("roles", ()):
            TierRecipient.objects.create(tier=tier, kind="role", agency=agency, role=role)
        for agency in spec.get("agencies", ()):
            TierRecipient.objects.create(tier=tier, kind="agency", agency=agency)
    return policy


@pytest.fixture
def supervisor(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="supervisor", username="supervisor")


@pytest.fixture
def duty_officer(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="protection_officer", username="duty")


@pytest.fixture
def head_of_office(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="supervisor", username="head_of_office")


@pytest.fixture
def agency_admin_user(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="admin", username="mpu_admin")


@pytest.fixture
def two_tier_policy(duty_officer: Any, head_of_office: Any) -> EscalationPolicy:
    """Serious and critical incidents anywhere: the duty officer first, then the head of office."""
    return make_policy(
        tiers=[
            {"users": [duty_officer], "in_app": True, "email": True},
            {"users": [head_of_office], "in_app": True, "email": True},
        ],
        minimum_severity=3,
    )


# Integration: a real worker on Redis database 13 and the pytest test database.


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
    # kombu caches pools per broker URL process-wide: close and forget them all.
    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def broker13() -> Iterator[str]:
    """Publish to Redis database 13, flushed before and after the test."""
    client = redis.Redis.from_url(INTEGRATION_BROKER_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:  # pragma: no cover - depends on the machine
        pytest.fail("Redis is not answering on 127.0.0.1:6379; the integration tests need it.")
    client.flushdb()
    previous = app.conf.broker_url
    point_app_at(INTEGRATION_BROKER_URL)
    try:
        yield INTEGRATION_BROKER_URL
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


@pytest.fixture
def mail_dir() -> Iterator[Path]:
    """A directory where the worker writes the emails it sends, one file per message."""
    with tempfile.TemporaryDirectory(prefix="protection-mail-") as path:
        yield Path(path)


@pytest.fixture
def alert_worker(
    transactional_db: None, broker13: str, mail_dir: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a real worker (solo pool) on the test database and Redis 13; always stop it."""
    log = tempfile.NamedTemporaryFile(prefix="alert-worker-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.incidents.worker_settings",
        "CELERY_BROKER_URL": broker13,
        "DATABASE_URL": database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "PROTECTION_TEST_EMAIL_DIR": str(mail_dir),
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "WEBHOOK_TIMEOUT_SECONDS": "5",
        # Retries come quickly in tests: full jitter under one second, floored at one.
        "NOTIFICATION_RETRY_BASE_SECONDS": "0.5",
        "NOTIFICATION_RETRY_MAX_SECONDS": "1",
    }
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "protection.celery:app",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"alerts-{uuid.uuid4().hex[:8]}@%h",
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


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A partner's webhook endpoint on 127.0.0.1, on a free port, in a thread."""
    with WebhookReceiver() as server:
        yield server
