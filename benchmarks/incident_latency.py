"""Measure incident-to-delivered latency: `python -m benchmarks.incident_latency`.

It uses a database of its own (protection_bench_incidents, dropped and created again each run)
and a Redis database of its own (13 by default, flushed before and after), starts a real Celery
worker, and reports incidents through `incident_report` one after another at a steady pace.
Each incident matches a policy whose first tier is one officer (in-app and email) and one
partner's webhook, served by an HTTP receiver in this process that checks every signature.

Latency is measured from the moment the service accepted the report (`reported_at`) to the
moment each delivery went out (`sent_at`, written by the worker after the send; for webhooks the
arrival at the receiver). All clocks are this machine's. It prints the median and the 95th
percentile per channel and for "all three delivered", and the time the report itself took.
"""

import argparse
import datetime
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from standardwebhooks import Webhook, WebhookVerificationError

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_incidents"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"
BASE_DIR = Path(__file__).resolve().parent.parent


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.incident_latency")
    parser.add_argument("--incidents", type=int, default=200, help="incidents to report (200)")
    parser.add_argument(
        "--interval", type=float, default=0.1, help="seconds between two reports (0.1)"
    )
    parser.add_argument("--pool", default="solo", help="worker pool: solo or prefork (solo)")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes (1)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_INCIDENTS_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database, dropped and created again",
    )
    parser.add_argument(
        "--broker-url",
        default=os.environ.get("BENCH_INCIDENTS_BROKER_URL", DEFAULT_BROKER_URL),
        help="a Redis database of the benchmark's own, flushed before and after",
    )
    return parser.parse_args(argv)


def _recreate_database(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "protection", "template0", "template1"):
        raise SystemExit(f"Refusing to use {name!r} as the benchmark database.")
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


class Receiver:
    """A partner's endpoint: verifies each signature and notes when each delivery arrived."""

    def __init__(self) -> None:
        self.secret = ""
        self.arrivals: dict[str, float] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = dict(self.headers.items())
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                with receiver.lock:
                    if not verified:
                        receiver.bad_signatures += 1
                    receiver.arrivals.setdefault(self.headers["webhook-id"], arrived)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def _worker(args: argparse.Namespace, env: dict[str, str]) -> Iterator[None]:
    """Run a real Celery worker for the duration of the block; always stop it."""
    log = tempfile.NamedTemporaryFile(prefix="latency-worker-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "protection.celery:app",
        "worker",
        f"--pool={args.pool}",
        f"--concurrency={args.concurrency}",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"latency-{uuid.uuid4().hex[:8]}@%h",
    ]
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_ready(worker, args.broker_url, Path(log.name))
        yield
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_until_ready(worker: subprocess.Popen[bytes], broker_url: str, log: Path) -> None:
    """Wait until the worker answers a ping through the broker."""
    from protection.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"The worker exited:\n{log.read_text()}")
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit(f"The worker did not start within 60 s:\n{log.read_text()}")


def _percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _line(label: str, values_ms: list[float]) -> str:
    return (
        f"  {label:<34} median {statistics.median(values_ms):8.1f} ms   "
        f"p95 {_percentile(values_ms, 0.95):8.1f} ms   max {max(values_ms):8.1f} ms   "
        f"(n={len(values_ms)})"
    )


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks.incident_latency", *argv])
    import redis

    broker = redis.Redis.from_url(args.broker_url)
    broker.ping()
    broker.flushdb()
    _recreate_database(args.database_url)

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }
    os.environ.update(env)
    import django

    django.setup()

    from django.core.management import call_command
    from django.utils import timezone

    from camps.models import Country, Site, SiteType
    from incidents.models import (
        EscalationPolicy,
        EscalationTier,
        IncidentType,
        PerpetratorCategory,
        TierRecipient,
    )
    from incidents.reporting.services import IncidentData, incident_report
    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.notifications.models import Delivery
    from protection.notifications.services.subscriptions import webhook_subscription_create
    from protection.reference_data import load_reference_data

    print(f"Command: {command}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    mission = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    partner = PartnerAgency.objects.create(name="Child Relief", acronym="CRF")
    site = Site.objects.create(
        name="Kakuma One",
        code="KAK-01",
        site_type=SiteType.objects.get(code="planned_camp"),
        country=Country.objects.get(code="SSD"),
        capacity=20000,
        managing_agency=mission,
    )
    site.operating_agencies.add(partner)
    reporter = User.objects.create(username="reporter", agency=mission)
    duty = User.objects.create(username="duty", agency=mission, email="duty@mpu.example")
    partner_api = User.objects.create(username="crf_api", agency=partner, role="partner_api")
    receiver = Receiver()
    created = webhook_subscription_create(
        actor=partner_api, url=receiver.url, events=["alert.raised"]
    )
    receiver.secret = created.secret
    policy = EscalationPolicy.objects.create(name="Serious", minimum_severity=3)
    tier = EscalationTier.objects.create(
        policy=policy, level=1, notify_in_app=True, notify_email=True, notify_webhook=True
    )
    TierRecipient.objects.create(tier=tier, kind="user", user=duty)
    TierRecipient.objects.create(tier=tier, kind="agency", agency=partner)
    kind = IncidentType.objects.get(code="abduction")
    perpetrator = PerpetratorCategory.objects.get(code="non_state_armed_group")

    report_ms: list[float] = []
    try:
        with _worker(args, env):
            print(
                f"Worker: --pool={args.pool} --concurrency={args.concurrency}; broker "
                f"{args.broker_url}; {args.incidents} incidents, one every {args.interval:g} s",
                flush=True,
            )
            for _ in range(args.incidents):
                started = time.perf_counter()
                incident_report(
                    actor=reporter,
                    data=IncidentData(
                        incident_type=kind,
                        severity=4,
                        occurred_at=timezone.now() - datetime.timedelta(minutes=10),
                        perpetrator_category=perpetrator,
                        source="witness",
                        description="Two people taken from the market.",
                        site=site,
                        male_adults=2,
                    ),
                )
                report_ms.append((time.perf_counter() - started) * 1000)
                time.sleep(args.interval)
            expected = args.incidents * 3
            deadline = time.monotonic() + 120
            while Delivery.objects.filter(status="sent").count() < expected:
                if time.monotonic() > deadline:
                    raise SystemExit("Not every delivery was sent within 120 s.")
                time.sleep(0.2)
    finally:
        receiver.close()
        broker.flushdb()
        broker.close()

    by_channel: dict[str, list[float]] = {"in_app": [], "email": [], "webhook": []}
    all_delivered: dict[str, float] = {}
    rows = Delivery.objects.filter(source_type="incidents.alert").values_list(
        "source_id", "channel", "uuid", "sent_at"
    )
    from incidents.models import Alert

    reported = {
        str(pk): at.timestamp()
        for pk, at in Alert.objects.values_list("pk", "incident__reported_at")
        if at is not None
    }
    for alert_id, channel, key, sent_at in rows:
        assert sent_at is not None  # every delivery was sent before measuring
        done = receiver.arrivals[str(key)] if channel == "webhook" else sent_at.timestamp()
        latency = (done - reported[alert_id]) * 1000
        by_channel[channel].append(latency)
        all_delivered[alert_id] = max(all_delivered.get(alert_id, 0.0), latency)

    print("Incident-to-delivered latency (reported_at -> delivery out):", flush=True)
    print(_line("in-app inbox", by_channel["in_app"]))
    print(_line("email (Django backend, locmem)", by_channel["email"]))
    print(_line("webhook (arrival at receiver)", by_channel["webhook"]))
    print(_line("all three delivered", list(all_delivered.values())))
    print(_line("incident_report() call itself", report_ms))
    print(f"  webhook signatures that failed verification: {receiver.bad_signatures}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
