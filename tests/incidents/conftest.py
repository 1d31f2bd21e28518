"""Fixtures for incidents and alerts: reporters, policies with tiers, incident data.

The integration fixtures (a real Celery worker on a Redis database of its own, a local webhook
receiver) live here too, because the worker needs settings of its own: emails written to files
the test can read, and webhooks allowed to reach 127.0.0.1.
"""

import datetime
import os
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pytest
from django.utils import timezone

from camps.models import Site
from incidents.models import (
    EscalationPolicy,
    EscalationTier,
    IncidentType,
    PerpetratorCategory,
    PolicyTrigger,
    TierRecipient,
)
from incidents.reporting.services import IncidentData, IncidentReport, incident_report
from partners.models import PartnerAgency
from protection.accounts.models import User
from tests import factories
from tests.celery_worker import (  # noqa: F401 - point_app_at and wait_for are re-exported
    point_app_at,
    redis_broker,
    running_worker,
    wait_for,
)
from tests.notifications.receiver import WebhookReceiver

# Parallel runs on one machine each give their own Redis database (as for the other workers).
INTEGRATION_BROKER_URL = os.environ.get(
    "PROTECTION_INCIDENTS_BROKER_URL", "redis://127.0.0.1:6379/13"
)


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


@pytest.fixture
def broker13() -> Iterator[str]:
    """Publish to Redis database 13, flushed before and after the test."""
    with redis_broker(INTEGRATION_BROKER_URL) as url:
        yield url


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
    extra_env = {
        "PROTECTION_TEST_EMAIL_DIR": str(mail_dir),
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "WEBHOOK_TIMEOUT_SECONDS": "5",
        # Retries come quickly in tests: full jitter under one second, floored at one.
        "NOTIFICATION_RETRY_BASE_SECONDS": "0.5",
        "NOTIFICATION_RETRY_MAX_SECONDS": "1",
    }
    with running_worker(
        broker_url=broker13,
        name="alerts",
        settings_module="tests.incidents.worker_settings",
        extra_env=extra_env,
    ) as worker:
        yield worker


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A partner's webhook endpoint on 127.0.0.1, on a free port, in a thread."""
    with WebhookReceiver() as server:
        yield server
