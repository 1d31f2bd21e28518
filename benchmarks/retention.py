"""Measure retention over a large registry: `python -m benchmarks.retention --people 1000000`.

It uses a database of its own (protection_bench_retention, dropped and created again each run),
fills it with the scale generator (benchmarks/generate.py), then makes a fraction of the
people departed three years ago (`--expired`, 5% by default; past the default two-year rule)
and runs the departed_people kind: a dry run (counts only), the run itself, and a second run
that must find nothing. It prints the rows anonymised per second and checks that every site's
population (camps.census) is the same before and after.
"""

import argparse
import os
import sys
import time

from benchmarks.__main__ import _recreate_database

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_retention"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.retention", description=__doc__)
    parser.add_argument("--people", type=int, default=100_000, help="registry size (100000)")
    parser.add_argument("--sites", type=int, default=40, help="number of sites (40)")
    parser.add_argument(
        "--expired", type=float, default=0.05, help="fraction of people past retention (0.05)"
    )
    parser.add_argument("--batch-size", type=int, default=None, help="RETENTION_BATCH_SIZE")
    parser.add_argument("--seed", type=int, default=20261130, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_RETENTION_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_RETENTION_DATABASE_URL)",
    )
    return parser.parse_args(argv)


def _say(text: str = "") -> None:
    print(text, flush=True)


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    if not 0 < args.expired <= 1:
        raise SystemExit("--expired must be a fraction in (0, 1].")
    command = " ".join([".venv/bin/python -m benchmarks.retention", *argv])
    _recreate_database(args.database_url, drop=True)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import random

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks import generate as generator
    from camps.census import census
    from camps.models import Site
    from cases.models import DisplacedPerson
    from protection.dates import years_before
    from protection.reference_data import load_reference_data
    from protection.retention import retention_apply

    rng = random.Random(args.seed)
    _say(f"Command: {command}")
    _say(f"Generating a registry of {args.people:,} people in {args.sites} sites ...")
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()
    context = generator.create_organisations(sites=args.sites, rng=rng)
    generator.load_registry(context, people=args.people, rng=rng, progress=_say)
    _say(f"Generated in {time.monotonic() - started:,.0f} s")

    today = timezone.localdate()
    every = max(1, round(1 / args.expired))
    with connection.cursor() as cursor:
        # Departed three years ago: past the two-year default of departed_people.
        cursor.execute(
            "UPDATE cases_displacedperson SET status = 'departed', status_changed_on = %s "
            "WHERE id %% %s = 0",
            [years_before(today, 3), every],
        )
        cursor.execute("ANALYZE cases_displacedperson")
    total = DisplacedPerson.objects.count()
    sites = list(Site.objects.all())
    before = {site.pk: census().population(site=site, today=today) for site in sites}

    _say(f"Registry: {total:,} people; 1 in {every} departed three years ago.")
    started = time.monotonic()
    dry = retention_apply(kinds=["departed_people"], dry_run=True, batch_size=args.batch_size)
    elapsed = time.monotonic() - started
    _say(f"Dry run: {dry[0].counts} in {elapsed:.1f} s")

    started = time.monotonic()
    run = retention_apply(kinds=["departed_people"], batch_size=args.batch_size)
    elapsed = time.monotonic() - started
    people = run[0].counts["people"]
    _say(
        f"Run: {run[0].counts} in {elapsed:.1f} s: {people / elapsed:,.0f} people anonymised "
        f"per second ({total / elapsed:,.0f} registry rows covered per second)"
    )

    started = time.monotonic()
    again = retention_apply(kinds=["departed_people"], batch_size=args.batch_size)
    _say(f"Second run: {again[0].counts} in {time.monotonic() - started:.1f} s")

    after = {site.pk: census().population(site=site, today=today) for site in sites}
    same = before == after
    _say(f"Every site's population by sex and age group unchanged: {same}")
    left = DisplacedPerson.objects.filter(anonymised_on__isnull=False, given_name__gt="").count()
    _say(f"Anonymised people still holding a name: {left}")
    return 0 if same and left == 0 and dry[0].counts["people"] == people else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
