"""Measure how fast the sweeper drains a backlog: `python -m benchmarks.sweep_rate`.

It writes `--deliveries` pending in-app deliveries, all older than the sweep delay (what an
outage leaves behind), into a database of its own (protection_bench_sweep, dropped and created
again), starts a redis-server of its own, and calls the sweeper as beat would until every row is
queued. It prints the rows claimed and queued per minute, checks that the broker holds exactly
one task per row, and with `--drain` starts a real worker and times the sends as well.
"""

import argparse
import datetime
import os
import sys
import time

from benchmarks.outage_stack import (
    environment,
    processes,
    recreate_database,
    setup_django,
    worker_command,
)
from tests.redis_server import redis_server

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_sweep"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sweep_rate", description=__doc__)
    parser.add_argument("--deliveries", type=int, default=20_000, help="backlog size (20000)")
    parser.add_argument("--drain", action="store_true", help="also time a worker sending them")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (2)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_SWEEP_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database, dropped and created again",
    )
    return parser.parse_args(argv)


def _backlog(count: int) -> None:
    from django.utils import timezone

    from partners.models import PartnerAgency
    from protection.accounts.models import User
    from protection.notifications.models import Delivery

    agency = PartnerAgency.objects.create(name="Mission Protection Unit", acronym="MPU")
    users = [User.objects.create(username=f"officer{n}", agency=agency) for n in range(20)]
    rows = [
        Delivery(
            key=f"bench:{n}:outage:in_app:u{users[n % 20].pk}",
            channel="in_app",
            recipient_user=users[n % 20],
            event="alert.raised",
            source_type="incidents.alert",
            source_id=str(n),
            subject="An alert nobody could send during the outage",
        )
        for n in range(count)
    ]
    Delivery.objects.bulk_create(rows, batch_size=5000)
    Delivery.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=10))


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    print(f"Command: .venv/bin/python -m benchmarks.sweep_rate {' '.join(argv)}", flush=True)
    recreate_database(args.database_url)
    with redis_server() as redis:
        env = environment(database_url=args.database_url, broker_url=redis.url(0))
        setup_django()
        import redis as redis_client

        from protection.notifications.models import Delivery
        from protection.notifications.services.sweeper import SWEEP_BATCH, deliveries_sweep

        _backlog(args.deliveries)
        swept: list[int] = []
        calls = 0
        started = time.perf_counter()
        while len(swept) < args.deliveries:
            batch = deliveries_sweep()
            calls += 1
            if not batch:
                raise SystemExit("The sweeper found nothing left before the backlog was queued.")
            swept.extend(batch)
        seconds = time.perf_counter() - started
        queued = redis_client.Redis.from_url(redis.url(0)).llen("celery")
        print(
            f"Sweeper: {len(swept)} deliveries claimed and queued in {seconds:.2f} s "
            f"({calls} call(s), batches of {SWEEP_BATCH}): "
            f"{len(swept) / seconds * 60:,.0f} a minute",
            flush=True,
        )
        print(
            f"  rows claimed twice: {len(swept) - len(set(swept))}; tasks in the broker: "
            f"{queued} (expected {args.deliveries})",
            flush=True,
        )
        if args.drain:
            with processes(("worker", worker_command(args.concurrency)), env=env):
                started = time.perf_counter()
                while Delivery.objects.filter(status="sent").count() < args.deliveries:
                    if time.perf_counter() - started > 1800:
                        raise SystemExit("Not every delivery was sent within 30 minutes.")
                    time.sleep(1)
                seconds = time.perf_counter() - started
            print(
                f"Worker (--concurrency={args.concurrency}): {args.deliveries} in-app deliveries "
                f"sent in {seconds:.1f} s (with its start): "
                f"{args.deliveries / seconds * 60:,.0f} a minute",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
