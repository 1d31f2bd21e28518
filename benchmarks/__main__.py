"""Run the scale benchmark: `python -m benchmarks --people 200000` (what `make bench` runs).

It uses a database of its own (protection_bench by default, created if missing), fills it with
a realistic registry unless it already holds that many people, then prints the timings of the
duplicate check, the name search, the list pages, the site list and the audit admin, with the
query plans of the duplicate blocking query and of the name search.
"""

import argparse
import os
import random
import sys
import time
from functools import partial
from urllib.parse import urlsplit, urlunsplit

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench"


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--people", type=int, default=200_000, help="registry size (200000)")
    parser.add_argument("--sites", type=int, default=40, help="number of sites (40)")
    parser.add_argument("--probes", type=int, default=200, help="duplicate-check probes (200)")
    parser.add_argument("--searches", type=int, default=100, help="name searches (100)")
    parser.add_argument("--seed", type=int, default=20261121, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="drop the database and generate it again"
    )
    parser.add_argument("--plans", action="store_true", help="print the full query plans")
    return parser.parse_args(argv)


def _registry_size(database_url: str) -> int | None:
    """Return how many people the benchmark database holds, or None if it has no registry."""
    import psycopg2

    try:
        with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('cases_displacedperson')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT count(*) FROM cases_displacedperson")
            return int(cursor.fetchone()[0])
    except psycopg2.OperationalError:
        return None


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


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    command = " ".join([".venv/bin/python -m benchmarks", *argv])
    size = _registry_size(args.database_url)
    generate = args.regenerate or size != args.people
    _recreate_database(args.database_url, drop=generate and size is not None)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "protection.settings.dev")
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from benchmarks import generate as generator
    from benchmarks import measure
    from benchmarks.second_factor import verified_client
    from cases.models import DisplacedPerson
    from protection import access
    from protection.accounts.models import User
    from protection.reference_data import load_reference_data

    rng = random.Random(args.seed)
    _say(f"Command: {command}")
    _say(f"Database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    if generate:
        _say(f"Generating a registry of {args.people:,} people in {args.sites} sites ...")
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        load_reference_data()
        context = generator.create_organisations(sites=args.sites, rng=rng)
        counts = generator.load_registry(context, people=args.people, rng=rng, progress=_say)
        elapsed = time.monotonic() - started
        _say(
            f"Generated {counts['people']:,} people, {counts['households']:,} households, "
            f"{counts['needs']:,} specific needs, {counts['audit']:,} audit events "
            f"in {elapsed:,.0f} s ({counts['people'] / elapsed:,.0f} people/s)"
        )
    else:
        _say(f"Reusing the registry of {size:,} people (--regenerate to build it again).")

    total = DisplacedPerson.objects.count()
    officer = User.objects.get(username="unhcr_officer")
    visible = access.people_for(officer).count()
    _say(f"Registry: {total:,} people; the measuring officer (UNHCR) may see {visible:,}.")
    _say()

    people = measure.sample_people(rng, args.probes)
    _say(
        "Duplicate check (cases.registry.duplicates.find_candidates, "
        "misspelled second registration)"
    )
    results = [
        measure.measure_duplicates(
            people, DisplacedPerson.objects.all(), rng, "duplicate check, whole registry"
        ),
        measure.measure_duplicates(
            [p for p in people if p.owning_agency_id == officer.agency_id] or people,
            access.people_for(officer),
            rng,
            "duplicate check, as the officer (agency scope)",
        ),
    ]
    for result in results:
        _say(result.timing.line())
    whole = results[0]
    naive = whole.scoring_seconds_per_row * total
    _say(
        f"  original found among the candidates: {whole.found}/{whole.probes} "
        f"({100 * whole.found / whole.probes:.0f}%)"
    )
    _say(
        f"  rows scored per probe: {whole.mean_block:,.0f} on average of {total:,} "
        f"({100 * whole.mean_block / total:.3f}% of the registry; "
        f"{whole.capped_blocks}/50 sampled blocks hit the {measure.MAX_BLOCK_ROWS}-row cap)"
    )
    _say(
        f"  scoring every row instead would take ~{naive:,.1f} s per registration: "
        f"blocking is {naive / (whole.timing.median_ms / 1000):,.0f}x faster (median)"
    )
    _say()

    _say(
        "Name search (cases.registry.selectors.person_list, q = misspelled name, keyset first page)"
    )
    search_people = measure.sample_people(rng, args.searches)
    terms = measure.search_terms(
        [p for p in search_people if p.owning_agency_id == officer.agency_id] or search_people,
        rng,
    )
    timing, mean_rows = measure.measure_name_search(officer, terms)
    _say(timing.line())
    _say(f"  rows on the first page: {mean_rows:.1f} on average; terms such as {terms[:3]}")
    _say()

    _say("Pages through the full Django stack (officer, then superuser for the admin)")
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    client.force_login(officer)
    root = User.objects.get(username="bench_root")
    # The superuser passes the second factor as a person would (benchmarks.second_factor).
    admin_client = verified_client(root, HTTP_HOST="localhost", raise_request_exception=False)
    number = people[0].registration_number
    pages = [
        (client, "person list page, first 50", "/registry/people/", None),
        (client, "person list page, name search", "/registry/people/", {"q": terms[0]}),
        (client, "camp list page with population", "/camps/", None),
        (admin_client, "admin audit events, newest 50", "/admin/protection/auditevent/", None),
        (
            admin_client,
            "admin audit events, action filter",
            "/admin/protection/auditevent/",
            {"action": "person.register"},
        ),
        (
            admin_client,
            "admin audit events, search by reg. number",
            "/admin/protection/auditevent/",
            {"q": number},
        ),
        (admin_client, "admin record access log", "/admin/protection/accesslog/", None),
    ]
    for page_client, label, path, params in pages:
        try:
            timing, queries = measure.measure_page(page_client, label, path, params)
        except RuntimeError as error:  # a page broken elsewhere must not stop the run
            _say(f"{label:<46} not measured: {error}")
            continue
        _say(f"{timing.line()}   {queries} queries")
    _say(measure.measure_site_list(officer).line())
    _say()

    _say("Query plans (EXPLAIN ANALYZE)")
    statements = []
    for person in people[1:6]:
        probe = measure.probe_for(person, rng)
        statements.append(
            (
                f"duplicate blocking ({person.given_name} {person.family_name})",
                measure.captured_sql(
                    partial(
                        measure.find_candidates,
                        queryset=DisplacedPerson.objects.all(),
                        probe=probe,
                    ),
                    "given_key",
                ),
            )
        )
    for term in terms[1:4]:
        statements.append(
            (
                f"name search ({term})",
                measure.captured_sql(
                    partial(
                        lambda term: measure.keyset_page(
                            measure.person_list(user=officer, filters={"q": term}),
                            after=None,
                            size=50,
                        ),
                        term,
                    ),
                    "name_search",
                ),
            )
        )
    for position, (label, statement) in enumerate(statements):
        plan, indexes = measure.explain(statement)
        execution = next((ln for ln in plan.splitlines() if "Execution Time" in ln), "").strip()
        _say(f"  {label}: indexes {sorted(indexes) or 'NONE'}; {execution}")
        if args.plans and position in (0, 5):
            _say("    " + plan.replace("\n", "\n    "))
    _say()
    _say(f"Command: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
