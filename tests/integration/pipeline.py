"""The alert pipeline on a Redis of the test's own: a mission, a worker kept alive, beat, reports.

The fault tests (test_redis_outage.py) kill or freeze a redis-server they started themselves
(tests/redis_server.py), so everything that talks to the broker here is pointed at it: this
process (the web side, reporting through the API), a real Celery worker and a real beat.
"""

import contextlib
import datetime
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from incidents.models import Incident
from protection.notifications.models import Delivery
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests.celery_worker import database_url, running_worker, wait_for
from tests.incidents.conftest import make_agency, make_policy, make_site, make_user
from tests.notifications.receiver import WebhookReceiver

# The worker and beat of these tests sweep every 2 s anything pending for 3 s (production: 30 s
# and 60 s), so that a test sees the catch-up within its time.
PIPELINE_ENV = {
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
    "WEBHOOK_REQUIRE_HTTPS": "0",
    "WEBHOOK_TIMEOUT_SECONDS": "5",
    "NOTIFICATION_SWEEP_SECONDS": "2",
    "NOTIFICATION_SWEEP_AFTER_SECONDS": "3",
    "NOTIFICATION_RETRY_BASE_SECONDS": "0.5",
    "NOTIFICATION_RETRY_MAX_SECONDS": "1",
}


@dataclass
class Mission:
    """A camp, its reporting officer, a duty officer told in-app, a partner told by webhook."""

    client: APIClient
    site_id: int
    receiver: WebhookReceiver
    answers: list[tuple[int, float]] = field(default_factory=list)

    def report(self) -> tuple[int, float]:
        """Report a critical incident through the API; return the status and the seconds."""
        payload = {
            "type": "abduction",
            "severity": 4,
            "occurred_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
            "site": self.site_id,
            "male_adults": 1,
            "perpetrator_category": "non_state_armed_group",
            "source": "witness",
            "description": "A man taken at the water point.",
        }
        started = time.monotonic()
        response = self.client.post("/api/v1/incidents/", payload, format="json")
        answer = (response.status_code, time.monotonic() - started)
        self.answers.append(answer)
        return answer

    def accepted(self) -> int:
        return sum(1 for status, _seconds in self.answers if status == 201)

    def slowest(self) -> float:
        return max(seconds for _status, seconds in self.answers)

    def p95(self) -> float:
        ordered = sorted(seconds for _status, seconds in self.answers)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def mission(receiver: WebhookReceiver) -> Mission:
    """Create the mission (call with WEBHOOK_* settings allowing the local receiver)."""
    agency = make_agency(acronym="MPU")
    site = make_site(managing_agency=agency, code="KAK-01", name="Kakuma One")
    partner = make_agency(acronym="CRF")
    site.operating_agencies.add(partner)
    officer = make_user(agency=agency, username="reporter")
    duty = make_user(agency=agency, username="duty")
    partner_api = make_user(agency=partner, role="partner_api", username="crf")
    webhook_subscription_create(actor=partner_api, url=receiver.url, events=["alert.raised"])
    make_policy(
        tiers=[{"users": [duty], "agencies": [partner], "in_app": True, "webhook": True}],
        minimum_severity=4,
    )
    _instance, token = AuthToken.objects.create(user=officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return Mission(client=client, site_id=site.pk, receiver=receiver)


def every_delivery_sent(expected: int) -> bool:
    statuses = list(Delivery.objects.values_list("status", flat=True))
    return len(statuses) == expected and set(statuses) == {"sent"}


def lost_and_duplicated(mission: Mission) -> tuple[int, int]:
    """Return reports answered 201 but missing, and webhook keys the partner received twice."""
    lost = mission.accepted() - Incident.objects.count()
    keys = [
        r.headers.get("webhook-id") or r.headers.get("Idempotency-Key")
        for r in mission.receiver.successful()
    ]
    return lost, len(keys) - len(set(keys))


class KeptWorker:
    """A real worker that is started again if it exits, the way compose's restart policy does."""

    def __init__(self, broker_url: str) -> None:
        self.broker_url = broker_url
        self.restarts = 0
        self._stack = contextlib.ExitStack()
        self._worker: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "KeptWorker":
        self._start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        self._worker = self._stack.enter_context(
            running_worker(broker_url=self.broker_url, name="outage", extra_env=PIPELINE_ENV)
        )

    def revive(self) -> bool:
        """Start the worker again if it exited; return True (for wait_for's polling)."""
        if self._worker is not None and self._worker.poll() is not None:
            self.restarts += 1
            self._start()
        return True

    def wait_for(self, condition: Any, *, timeout: float) -> Any:
        return wait_for(lambda: self.revive() and condition(), timeout=timeout)


@contextlib.contextmanager
def running_beat(broker_url: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run Celery beat on `broker_url` with the tests' short sweep interval; always stop it."""
    directory = Path(tempfile.mkdtemp(prefix="beat-"))
    log = (directory / "beat.log").open("wb")
    beat = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "protection.celery:app",
            "beat",
            "--loglevel=INFO",
            f"--schedule={directory / 'schedule'}",
        ],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            **PIPELINE_ENV,
            "DJANGO_SETTINGS_MODULE": "protection.settings.test",
            "CELERY_BROKER_URL": broker_url,
            "DATABASE_URL": database_url(),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: b"beat: Starting" in (directory / "beat.log").read_bytes(), timeout=30)
        yield beat
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck beat
            beat.kill()
            beat.wait(timeout=10)
        log.close()
        shutil.rmtree(directory, ignore_errors=True)
