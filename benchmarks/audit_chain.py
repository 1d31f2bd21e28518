"""Measure the audit hash chain: audit_record throughput, and audit_verify over a long trail.

    python -m benchmarks.audit_chain --throughput --writers 4 --calls 500
    python -m benchmarks.audit_chain --rows 1000000
    DATABASE_URL=... python manage.py audit_verify

It works on a database of its own (BENCH_DATABASE_URL, protection_bench_chain by default),
which it creates and migrates when missing. `--rows N` appends N chained audit events with
COPY (hashes computed here, as audit_record computes them); `--throughput` times audit_record
calls, each in its own transaction, from several processes at once.
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from protection.accounts.models import User

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_chain"
BATCH = 50_000
ACTIONS = ("person.update", "case.update", "referral.create", "household.register")


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.audit_chain", description=__doc__)
    parser.add_argument("--rows", type=int, default=0, help="chained audit events to append")
    parser.add_argument("--throughput", action="store_true", help="time audit_record calls")
    parser.add_argument("--writers", type=int, default=4, help="concurrent processes (4)")
    parser.add_argument("--calls", type=int, default=500, help="calls per process (500)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    return parser.parse_args(argv)


def _setup(database_url: str) -> None:
    """Point Django at the benchmark database, creating and migrating it when needed."""
    from benchmarks.__main__ import _recreate_database, _registry_size

    if _registry_size(database_url) is None:
        _recreate_database(database_url, drop=False)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _officer() -> "User":
    """Return the user the benchmark writes as (created once)."""
    from partners.models import PartnerAgency
    from protection.accounts.models import User

    agency, _created = PartnerAgency.objects.get_or_create(
        acronym="BENCH", defaults={"name": "Benchmark agency"}
    )
    user, _created = User.objects.get_or_create(
        username="bench.officer", defaults={"agency": agency, "role": "protection_officer"}
    )
    return user


def append_rows(rows: int) -> float:
    """COPY `rows` chained audit events after the head; return the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks.bulk import Table
    from protection.audit_chain import AUDIT_CHAIN, ChainStamper, chain_head, chain_lock
    from protection.models import AuditEvent

    officer = _officer()
    rng = random.Random(20261130)
    table = Table(AuditEvent)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        stamper = ChainStamper(AUDIT_CHAIN, chain_head(AUDIT_CHAIN, using=connection.alias))
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM protection_auditevent")
        next_id = int(cursor.fetchone()[0])
        now = timezone.now()
        done = 0
        while done < rows:
            batch = []
            for _index in range(min(BATCH, rows - done)):
                values = {
                    "id": next_id,
                    "created_at": now,
                    "actor_id": officer.pk,
                    "agency_id": officer.agency_id,
                    "action": rng.choice(ACTIONS),
                    "object_type": "cases.displacedperson",
                    "object_id": str(rng.randint(1, 2_000_000)),
                    "object_repr": f"PRS-{rng.randint(1, 9_999_999):07d}",
                    "changes": {"status": ["active", "departed"], "site": [None, 7]},
                    "channel": "web",
                    "ip_address": f"10.0.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                }
                batch.append(table.row(stamper.stamp(values)))
                next_id += 1
            table.copy(cursor, batch)
            done += len(batch)
            print(f"  {done:>9,} rows ({done / (time.monotonic() - started):,.0f}/s)")
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('protection_auditevent', 'id'), %s)",
            [next_id - 1],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE protection_auditevent")
    return time.monotonic() - started


def _write(calls: int) -> int:
    """In a worker process: make `calls` audit_record calls, each in its own transaction."""
    from django.db import connections, transaction

    from protection.audit import audit_record

    connections.close_all()  # never share the parent's connection
    officer = _officer()
    for index in range(calls):
        with transaction.atomic():
            audit_record(
                actor=officer,
                action="case.update",
                obj=officer,
                changes={"status": ["open", "closed"], "n": [index, index + 1]},
            )
    connections.close_all()
    return calls


def throughput(*, writers: int, calls: int) -> float:
    """Return audit_record calls per second over `writers` processes of `calls` calls each."""
    from django.db import connections

    _officer()
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(writers) as pool:
        started = time.monotonic()
        total = sum(pool.map(_write, [calls] * writers))
        elapsed = time.monotonic() - started
    return total / elapsed


def main(argv: list[str]) -> None:
    options = _arguments(argv)
    _setup(options.database_url)
    if options.rows:
        seconds = append_rows(options.rows)
        print(f"appended {options.rows:,} chained audit events in {seconds:.1f} s")
    if options.throughput:
        for writers in sorted({1, options.writers}):
            rate = throughput(writers=writers, calls=options.calls)
            print(f"audit_record, {writers} process(es) x {options.calls}: {rate:,.0f} calls/s")


if __name__ == "__main__":
    main(sys.argv[1:])
