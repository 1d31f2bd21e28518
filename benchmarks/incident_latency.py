"""Measure incident-to-delivered latency: `python -m benchmarks.incident_latency --rate 10`.

It uses a database of its own (protection_bench_incidents, dropped and created again each run)
and a Redis database of its own (13 by default, flushed before and after), starts a real Celery
worker (benchmarks.latency_worker: the project's worker, noting when each task starts), and
reports incidents through `incident_report` at a fixed rate: report i starts at i / rate
seconds, on one of `--reporters` threads, as concurrent requests would. Each incident matches a
policy whose first tier is one officer (in-app and email) and one partner's webhook, served by
an HTTP receiver in this process that checks every signature.

Latency runs from the moment the service accepted the report (`reported_at`) to the moment
each delivery went out (`sent_at`, written by the worker after the send; for webhooks the
arrival at the receiver). It is split into stages: reported -> task enqueued (the transaction,
its commit, the publish on commit), enqueued -> picked up by the worker (the queue), picked up
-> sent (the send). The first `--warmup` reports are not counted. All clocks are this machine's.
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from benchmarks.webhook_receiver import Receiver

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_incidents"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/13"
BASE_DIR = Path(__file__).resolve().parent.parent


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.incident_latency")
    parser.add_argument("--incidents", type=int, default=200, help="incidents measured (200)")
    parser.add_argument("--warmup", type=int, default=10, help="reports not counted (10)")
    parser.add_argument("--rate", type=float, default=10.0, help="reports per second (10)")
    parser.add_argument("--interval", type=float, help="seconds between reports (1 / rate)")
    parser.add_argument("--reporters", type=int, default=2, help="reporting threads (2)")
    parser.add_argument("--pool", default="prefork", help="worker pool (prefork)")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--prefetch-multiplier", type=int, help="worker prefetch (the settings' when not given)"
    )
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
    args = parser.parse_args(argv)
    if args.interval:
        args.rate = 1 / args.interval
    return args


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


@contextmanager
def _worker(args: argparse.Namespace, env: dict[str, str]) -> Iterator[None]:
    """Run a real Celery worker for the duration of the block; always stop it."""
    log = tempfile.NamedTemporaryFile(prefix="latency-worker-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        sys.executable,
        "-m",
        "benchmarks.latency_worker",
        f"--pool={args.pool}",
        f"--concurrency={args.concurrency}",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"latency-{uuid.uuid4().hex[:8]}@%h",
    ]
    if args.prefetch_multiplier:
        command.append(f"--prefetch-multiplier={args.prefetch_multiplier}")
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        _wait_until_ready(worker, Path(log.name))
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


def _wait_until_ready(worker: subprocess.Popen[bytes], log: Path) -> None:
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
    if not values_ms:
        return f"  {label:<38} no values"
    return (
        f"  {label:<38} median {statistics.median(values_ms):8.1f} ms   "
        f"p95 {_percentile(values_ms, 0.95):8.1f} ms   max {max(values_ms):8.1f} ms   "
        f"(n={len(values_ms)})"
    )


def _world(receiver: Receiver) -> dict[str, Any]:
    """Create the mission, a site, the reporter, the duty officer, a partner's webhook."""
    from camps.models import Country, Site, SiteType
    from incidents.models import (
        EscalationPolicy,
        EscalationTier,
        IncidentType,
        PerpetratorCategory,
        TierRecipient,
    )
    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.notifications.services.subscriptions import webhook_subscription_create

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
    return {
        "reporter": reporter,
        "site": site,
        "kind": IncidentType.objects.get(code="abduction"),
        "perpetrator": PerpetratorCategory.objects.get(code="non_state_armed_group"),
    }


def _report(world: dict[str, Any]) -> float:
    """Report one incident through the service; return how long the call took (ms)."""
    from django.db import connection
    from django.utils import timezone

    from incidents.reporting.services import IncidentData, incident_report

    started = time.perf_counter()
    try:
        incident_report(
            actor=world["reporter"],
            data=IncidentData(
                incident_type=world["kind"],
                severity=4,
                occurred_at=timezone.now() - datetime.timedelta(minutes=10),
                perpetrator_category=world["perpetrator"],
                source="witness",
                description="Two people taken from the market.",
                site=world["site"],
                male_adults=2,
            ),
        )
    finally:
        connection.close_if_unusable_or_obsolete()
    return (time.perf_counter() - started) * 1000


def _paced(world: dict[str, Any], args: argparse.Namespace) -> tuple[list[float], list[float]]:
    """Report warm-up plus measured incidents, report i at i / rate s; return call times and
    start lags (ms) of the measured ones."""
    from django.db import connections

    total = args.warmup + args.incidents
    calls: list[float] = [0.0] * total
    lags: list[float] = [0.0] * total
    begin = time.perf_counter()

    def one(index: int, due: float) -> None:
        lags[index] = (time.perf_counter() - due) * 1000
        calls[index] = _report(world)

    with ThreadPoolExecutor(max_workers=args.reporters) as pool:
        for index in range(total):
            due = begin + index / args.rate
            time.sleep(max(0.0, due - time.perf_counter()))
            pool.submit(one, index, due)
    connections.close_all()
    return calls[args.warmup :], lags[args.warmup :]


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
        "BENCH_TRACE_URL": args.broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }
    os.environ.update(env)
    import django

    django.setup()

    from celery.signals import after_task_publish
    from django.core.management import call_command

    from protection.notifications.models import Delivery, DeliveryStatus
    from protection.reference_data import load_reference_data

    print(f"Command: {command}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    receiver = Receiver()
    world = _world(receiver)
    enqueued: dict[int, float] = {}
    lock = threading.Lock()

    @after_task_publish.connect(weak=False)
    def _published(sender: str = "", body: Any = None, **kwargs: Any) -> None:
        if sender.endswith(".delivery_send") and body and body[0]:
            with lock:
                enqueued.setdefault(int(body[0][0]), time.time())

    load_before = os.getloadavg()
    try:
        with _worker(args, env):
            prefetch = args.prefetch_multiplier
            print(
                f"Worker: --pool={args.pool} --concurrency={args.concurrency}"
                f"{f' --prefetch-multiplier={prefetch}' if prefetch else ''}"
                f"; broker {args.broker_url}; {args.warmup} + {args.incidents} incidents at "
                f"{args.rate:g}/s on {args.reporters} reporting threads",
                flush=True,
            )
            started = time.perf_counter()
            report_ms, lag_ms = _paced(world, args)
            achieved = (args.warmup + args.incidents) / (time.perf_counter() - started)
            expected = (args.warmup + args.incidents) * 3
            deadline = time.monotonic() + 180
            while Delivery.objects.filter(status=DeliveryStatus.SENT).count() < expected:
                if time.monotonic() > deadline:
                    raise SystemExit("Not every delivery was sent within 180 s.")
                time.sleep(0.2)
            load_after = os.getloadavg()
            picked = {int(k): float(v) for k, v in broker.hgetall("bench:started").items()}
    finally:
        receiver.close()
        broker.flushdb()
        broker.close()

    _print(args, receiver, enqueued, picked, report_ms, lag_ms, achieved)
    print(
        f"  load average (1 min) before / after: {load_before[0]:.1f} / {load_after[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )
    return 0


def _print(
    args: argparse.Namespace,
    receiver: Receiver,
    enqueued: dict[int, float],
    picked: dict[int, float],
    report_ms: list[float],
    lag_ms: list[float],
    achieved: float,
) -> None:
    from incidents.models import Alert
    from protection.notifications.models import Delivery

    reported = {
        str(pk): at.timestamp()
        for pk, at in Alert.objects.order_by("pk").values_list("pk", "incident__reported_at")
        if at is not None
    }
    measured = set(list(reported)[args.warmup :])
    by_channel: dict[str, list[float]] = {"in_app": [], "email": [], "webhook": []}
    stages: dict[str, list[float]] = {"enqueue": [], "queue": [], "send": []}
    all_delivered: dict[str, float] = {}
    rows = Delivery.objects.filter(source_type="incidents.alert").values_list(
        "pk", "source_id", "channel", "uuid", "sent_at"
    )
    for pk, alert_id, channel, key, sent_at in rows:
        if alert_id not in measured:
            continue
        assert sent_at is not None  # every delivery was sent before measuring
        done = receiver.arrivals.get(str(key), sent_at.timestamp())
        latency = (done - reported[alert_id]) * 1000
        by_channel[channel].append(latency)
        all_delivered[alert_id] = max(all_delivered.get(alert_id, 0.0), latency)
        if pk in enqueued and pk in picked:
            stages["enqueue"].append((enqueued[pk] - reported[alert_id]) * 1000)
            stages["queue"].append((picked[pk] - enqueued[pk]) * 1000)
            stages["send"].append((sent_at.timestamp() - picked[pk]) * 1000)

    print(f"Reports: {achieved:.2f} per second achieved (asked {args.rate:g})", flush=True)
    print("Incident-to-delivered latency (reported_at -> delivery out):")
    print(_line("in-app inbox", by_channel["in_app"]))
    print(_line("email (Django backend, locmem)", by_channel["email"]))
    print(_line("webhook (arrival at receiver)", by_channel["webhook"]))
    print(_line("all three delivered", list(all_delivered.values())))
    print("Where the time goes (each delivery):")
    print(_line("reported -> task enqueued (commit)", stages["enqueue"]))
    print(_line("enqueued -> picked up by the worker", stages["queue"]))
    print(_line("picked up -> sent", stages["send"]))
    print(_line("incident_report() call itself", report_ms))
    print(_line("report started late by (pacing)", lag_ms))
    print(f"  webhook signatures that failed verification: {receiver.bad_signatures}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
