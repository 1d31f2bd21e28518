"""Measure webhook sending through a local receiver: `python -m benchmarks.delivery_throughput`.

It uses a database of its own (protection_bench_deliveries, dropped and created again each run),
writes N pending webhook deliveries to one subscription, and sends them with W threads calling
`sending.delivery_send` (what a worker's task does), against an HTTP receiver in this process that
answers after a delay. It prints deliveries per second, the duplicates the receiver saw, and,
sampled from pg_stat_activity every 20 ms while sending, how many sessions sat idle inside a
transaction and the longest-open transaction: what holding a row lock across the HTTP call costs.
"""

import argparse
import os
import queue
import statistics
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_deliveries"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.delivery_throughput")
    parser.add_argument("--deliveries", type=int, default=1000, help="webhooks to send (1000)")
    parser.add_argument("--workers", type=int, default=8, help="sending threads (8)")
    parser.add_argument(
        "--delay", type=float, default=0.05, help="seconds the receiver takes to answer (0.05)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DELIVERIES_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database, dropped and created again",
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
    """A partner's endpoint that answers 204 after `delay` and counts each delivery's requests."""

    def __init__(self, delay: float) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("webhook-id") or self.headers.get("Idempotency-Key") or ""
                with receiver.lock:
                    receiver.seen[key] += 1
                time.sleep(delay)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Sampler:
    """Sample pg_stat_activity of the benchmark database while the senders run."""

    def __init__(self, database_url: str) -> None:
        import psycopg2

        self.conn = psycopg2.connect(database_url)
        self.conn.autocommit = True
        self.idle_in_transaction: list[int] = []
        self.longest_open_ms = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.conn.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "SELECT count(*) FILTER (WHERE state = 'idle in transaction'),"
                    " coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)"
                    " FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    " AND xact_start IS NOT NULL"
                )
                idle, longest = cursor.fetchone()
                self.idle_in_transaction.append(int(idle))
                self.longest_open_ms = max(self.longest_open_ms, float(longest) * 1000)
                time.sleep(0.02)

    def __enter__(self) -> "Sampler":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.conn.close()


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks.delivery_throughput", *argv])
    _recreate_database(args.database_url)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
            "DATABASE_URL": args.database_url,
            "DATABASE_CONN_MAX_AGE": "600",
            "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
            "WEBHOOK_REQUIRE_HTTPS": "0",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.notifications.models import Delivery
    from protection.notifications.services import sending
    from protection.notifications.services.subscriptions import webhook_subscription_create

    print(f"Command: {command}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    partner = PartnerAgency.objects.create(name="Child Relief", acronym="CRF")
    partner_api = User.objects.create(username="crf_api", agency=partner, role="partner_api")
    receiver = Receiver(args.delay)
    created = webhook_subscription_create(
        actor=partner_api, url=receiver.url, events=["alert.raised"]
    )
    # Written directly: the benchmark measures sending, not the outbox's writers.
    Delivery.objects.bulk_create(
        Delivery(
            key=f"bench:{n}",
            channel="webhook",
            subscription=created.subscription,
            event="alert.raised",
            source_type="bench.item",
            source_id=str(n),
            subject="Benchmark",
            payload={"n": n},
        )
        for n in range(args.deliveries)
    )
    ids: queue.SimpleQueue[int] = queue.SimpleQueue()
    for pk in Delivery.objects.order_by("id").values_list("pk", flat=True):
        ids.put(pk)
    connection.close()

    def sender() -> None:
        try:
            while True:
                try:
                    pk = ids.get_nowait()
                except queue.Empty:
                    return
                sending.delivery_send(delivery_id=pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(args.workers)]
    with Sampler(args.database_url) as sampler:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    receiver.close()

    sent = Delivery.objects.filter(status="sent").count()
    duplicates = sum(count - 1 for count in receiver.seen.values() if count > 1)
    print(
        f"{args.deliveries} webhooks, {args.workers} sending threads, receiver answers in "
        f"{args.delay * 1000:g} ms",
        flush=True,
    )
    print(f"  sent {sent} in {elapsed:.2f} s: {sent / elapsed:.1f} deliveries/s")
    print(f"  requests the receiver saw twice: {duplicates}")
    idle = sampler.idle_in_transaction or [0]
    print(
        f"  sessions idle inside a transaction (sampled): mean {statistics.mean(idle):.2f}, "
        f"max {max(idle)}"
    )
    print(f"  longest-open transaction seen: {sampler.longest_open_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
