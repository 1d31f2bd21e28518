"""Run the scale benchmark: `python -m benchmarks --people 1000000` (what `make bench` runs).

It uses a database of its own (protection_bench by default, created if missing) and fills it
with a realistic registry (people in households, incidents, cases with referrals) unless it
already holds that many people; a generation that was killed goes on where it stopped. Then
it prints one table: for each measure the app's figure, the reference SQL's figure taken in
the same run, and their ratio (benchmarks/table_rows.py has one function per row).
"""

import argparse
import os
import random
import resource
import sys
import time
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000, help="registry size (1000000)")
    parser.add_argument("--sites", type=int, default=40, help="number of sites (40)")
    parser.add_argument(
        "--incidents", type=int, default=None, help="incidents (default: one per 10 people)"
    )
    parser.add_argument(
        "--cases", type=int, default=None, help="cases (default: one per 50 people)"
    )
    parser.add_argument("--probes", type=int, default=200, help="duplicate and search probes (200)")
    parser.add_argument("--seed", type=int, default=20261121, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="drop the database and generate it again"
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate (or resume), measure nothing"
    )
    return parser.parse_args(argv)


def _state(database_url: str) -> tuple[int | None, bool]:
    """Return (people in the benchmark database or None, whether a generation is unfinished)."""
    import psycopg2

    try:
        with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('cases_displacedperson')")
            if cursor.fetchone()[0] is None:
                return None, False
            cursor.execute("SELECT to_regclass('benchmarks_generator_plan')")
            unfinished = cursor.fetchone()[0] is not None
            cursor.execute("SELECT count(*) FROM cases_displacedperson")
            return int(cursor.fetchone()[0]), unfinished
    except psycopg2.OperationalError:
        return None, False


def _registry_size(database_url: str) -> int | None:
    """Return how many people the benchmark database holds, or None if it has no registry."""
    return _state(database_url)[0]


def _recreate_database(database_url: str, *, drop: bool) -> None:
    """Create the benchmark database (dropping it first when asked) from the server's 'postgres'."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "protection", "template0", "template1"):
        raise SystemExit(f"Refusing to use {name!r} as the benchmark database.")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin_url)
    conn.autocommit = True
    with conn.cursor() as cursor:
        if drop:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def _say(text: str = "") -> None:
    print(text, flush=True)


def _load() -> str:
    with open("/proc/loadavg", encoding="ascii") as handle:
        return " ".join(handle.read().split()[:3])


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    started = time.monotonic()
    command = " ".join([".venv/bin/python -m benchmarks", *argv])
    incidents = args.people // 10 if args.incidents is None else args.incidents
    cases = args.people // 50 if args.cases is None else args.cases
    size, unfinished = _state(args.database_url)
    generate = args.regenerate or unfinished or size != args.people
    stale = generate and size is not None and not unfinished
    _recreate_database(args.database_url, drop=args.regenerate or stale)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("API_THROTTLE_USER", "1000000/hour")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()

    from django.db import connection

    from benchmarks import generate as generator
    from benchmarks import measure
    from benchmarks.second_factor import verified_client
    from benchmarks.table import Bench, print_table
    from benchmarks.table_rows import ROWS
    from cases.models import DisplacedPerson
    from protection.accounts.models import User

    _say(f"Command: {command}")
    _say(f"Database: {connection.settings_dict['NAME']}; {os.cpu_count()} cores; load {_load()}")
    copy_rate = None
    if generate:
        _say(
            f"Generating {args.people:,} people in {args.sites} sites, {incidents:,} incidents, "
            f"{cases:,} cases with referrals ..."
        )
        report = generator.generate(
            people=args.people,
            sites=args.sites,
            incidents=incidents,
            cases=cases,
            seed=args.seed,
            progress=_say,
        )
        total_rows = sum(report["counts"].values())
        _say(f"Generated in {report['seconds']:,.0f} s, {total_rows:,} rows; load {_load()}")
        for stage, figures in report["stages"].items():
            seconds = max(figures["seconds"], 1e-6)
            rows = figures["rows"]
            per_table = ", ".join(f"{t} {c:,} ({c / seconds:,.0f}/s)" for t, c in rows.items())
            _say(
                f"  {stage}: {seconds:,.0f} s, {sum(rows.values()) / seconds:,.0f} rows/s"
                + (f": {per_table}" if per_table else "")
            )
            if rows and figures.get("cpu_generator"):
                cpu = figures["cpu_generator"] + (figures.get("cpu_database") or 0)
                _say(
                    f"    CPU: generator {figures['cpu_generator']:,.1f} s, PostgreSQL "
                    f"{figures.get('cpu_database') or 0:,.1f} s: "
                    f"{sum(rows.values()) / cpu:,.0f} rows per CPU second"
                )
        registry = report["stages"].get("registry")
        if registry and registry["rows"].get("people"):
            copy_rate = registry["rows"]["people"] / registry["seconds"]
    else:
        _say(f"Reusing the registry of {size:,} people (--regenerate to build it again).")
    if args.generate_only:
        return 0
    if copy_rate is None:
        copy_rate = generator.copy_rate()
        _say(f"COPY of 20,000 more people (rolled back): {copy_rate:,.0f} people/s")

    officer = User.objects.get(username="unhcr_officer")
    # Past the second factor as a person would be: a forced login alone is sent to the code
    # step once an earlier benchmark (request_speed, throughput) enrolled an authenticator.
    client = verified_client(officer, HTTP_HOST="localhost", raise_request_exception=False)
    rng = random.Random(args.seed)
    bench = Bench(
        officer=officer,
        client=client,
        people=measure.sample_people(rng, args.probes),
        rng=rng,
        probes=args.probes,
        copy_people_per_second=copy_rate,
    )
    rows = []
    _say()
    for row_function in ROWS:
        measured = time.monotonic()
        try:
            rows.extend(row_function(bench))
        except Exception as error:  # a row broken elsewhere must not lose the others
            _say(f"  {row_function.__name__} not measured: {error!r}")
            continue
        _say(f"  measured {row_function.__name__} in {time.monotonic() - measured:,.0f} s")
    _say()
    people = DisplacedPerson.objects.count()
    print_table(rows, _say, f"measure at {people:,} people")
    _say()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _say(
        f"Wall time {time.monotonic() - started:,.0f} s, of which this process's CPU "
        f"{usage.ru_utime + usage.ru_stime:,.0f} s; load average {_load()}"
    )
    _say(f"Command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
