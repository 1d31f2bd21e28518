"""Measure the bulk import against PostgreSQL COPY of the same rows into the same tables.

    python -m benchmarks.imports --people 1000000 --rows 20000

It uses a database of its own (BENCH_DATABASE_URL, protection_bench_import by default), fills
it with the scale generator when it does not hold `--people` people, then builds a CSV file of
`--rows` new people in households, imports it through the services (upload, dry run with every
row validated and checked for duplicates, commit with audit events), and COPYs the same number
of households and people into the same tables. It prints both rates and their ratio.
"""

import argparse
import csv
import datetime
import io
import os
import random
import sys
import time
from typing import Any

from tests.names import syllable_name

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/protection_bench_import"
HEADERS = [
    "household_ref",
    "relationship_to_head",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "displacement_status",
    "nationality",
    "arrived_on",
    "consent_date",
    "consent_given_by",
]


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.imports", description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000, help="registry size (1000000)")
    parser.add_argument("--rows", type=int, default=20_000, help="rows in the file (20000)")
    parser.add_argument(
        "--known",
        type=int,
        default=1000,
        help="rows that are registered people typed again, misspelled (1000)",
    )
    parser.add_argument(
        "--names",
        choices=["new", "registry"],
        default="new",
        help="the new arrivals' names: new (few share a key with the registry's; the default) "
        "or registry (drawn as the registry's are: common names, many namesakes to score)",
    )
    parser.add_argument("--sites", type=int, default=40, help="sites when generating (40)")
    parser.add_argument("--seed", type=int, default=20261130, help="random seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database (BENCH_DATABASE_URL; never your working one)",
    )
    return parser.parse_args(argv)


def _new_name(rng: random.Random) -> str:
    """Return a name of a new arrival: most share no phonetic key with the registry's."""
    return syllable_name(rng)


def _registry_name(rng: random.Random) -> str:
    """Return a name drawn as the registry's are (benchmarks.households): common ones first."""
    from benchmarks.households import FAMILY, FEMALE, MALE, pick

    return pick(rng, rng.choice([FAMILY, FEMALE, MALE]))


def _file(
    rows: int, rng: random.Random, today: datetime.date, *, names: str = "new"
) -> list[list[str]]:
    """Return the rows of `rows` new arrivals in households."""
    from benchmarks.households import household_members

    _name = _registry_name if names == "registry" else _new_name

    lines: list[list[str]] = []
    number = 0
    consent = (today - datetime.timedelta(days=2)).isoformat()
    while len(lines) < rows:
        number += 1
        size = min(rng.choices(range(1, 9), [10, 12, 15, 18, 16, 12, 8, 5])[0], rows - len(lines))
        family = _name(rng)
        for relationship, sex, born in household_members(rng, today, size):
            given, family_name = _name(rng), family
            lines.append(
                [
                    f"H{number}",
                    relationship,
                    given,
                    family_name,
                    sex,
                    born.isoformat(),
                    rng.choice(["IDP", "REF", "ASY"]),
                    rng.choice(["SSD", "SDN", "COD"]),
                    consent,
                    consent,
                    "person" if relationship == "head" else "caregiver",
                ]
            )
    return lines


def _known_lines(people: list[Any], rng: random.Random, today: datetime.date) -> list[list[str]]:
    """Return a row for each registered person, typed again as a second registration would be."""
    from benchmarks.measure import probe_for

    consent = (today - datetime.timedelta(days=2)).isoformat()
    lines = []
    for number, person in enumerate(people, start=1):
        probe = probe_for(person, rng)
        lines.append(
            [
                f"K{number}",
                "head",
                probe.given_name,
                probe.family_name,
                probe.sex,
                probe.date_of_birth.isoformat(),
                person.displacement_status.code,
                person.nationality.code if person.nationality else "",
                consent,
                consent,
                "person",
            ]
        )
    return lines


def _csv(lines: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(lines)
    return buffer.getvalue().encode()


def _copy_same_rows(
    lines: list[list[str]], officer_id: int, agency_id: int, site_id: int
) -> tuple[float, float]:
    """COPY households and people holding the same values and commit them; return the seconds
    the COPY took and the seconds to its commit."""
    from django.db import connection, transaction
    from django.utils import timezone

    from benchmarks.bulk import Table, next_id, reset_sequence
    from camps.models import Country
    from cases.models import DisplacedPerson, DisplacementStatus, Household
    from cases.registry.duplicates import search_keys
    from cases.registry.imports.dry_run import ASYNC_COMMIT
    from protection import codes

    statuses = dict(DisplacementStatus.objects.values_list("code", "pk"))
    countries = dict(Country.objects.values_list("code", "pk"))
    household_table, person_table = Table(Household), Table(DisplacedPerson)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        household_id = next_id(cursor, Household)
        person_id = next_id(cursor, DisplacedPerson)
        households, people, refs = [], [], {}
        for line in lines:
            ref, relationship, given, family, sex, born, status, nationality = line[:8]
            if ref not in refs:
                refs[ref] = household_id
                households.append(
                    household_table.row(
                        {
                            "id": household_id,
                            "code": codes.new_code(codes.HOUSEHOLD_PREFIX),
                            "site_id": site_id,
                            "address": "",
                            "registered_on": now.date(),
                            "owning_agency_id": agency_id,
                            "created_by_id": officer_id,
                            "created_at": now,
                        }
                    )
                )
                household_id += 1
            keys = search_keys(given, family)
            people.append(
                person_table.row(
                    {
                        "id": person_id,
                        "registration_number": codes.new_code(codes.PERSON_PREFIX),
                        "household_id": refs[ref],
                        "site_id": site_id,
                        "relationship_to_head": relationship,
                        "given_name": given,
                        "family_name": family,
                        "other_names": "",
                        "languages": "",
                        "origin_location": "",
                        "displaced_on": None,
                        "phone": "",
                        "documents": [],
                        "status_reason": "",
                        "status_changed_on": None,
                        "sex": sex,
                        "date_of_birth": born,
                        "nationality_id": countries[nationality],
                        "displacement_status_id": statuses[status],
                        "origin_country_id": None,
                        "arrived_on": line[8],
                        "consent_date": line[9],
                        "consent_given_by": line[10],
                        "consent_scope": "registration",
                        "consent_recorded_by_id": officer_id,
                        "status": "active",
                        "owning_agency_id": agency_id,
                        "name_search": keys.name_search,
                        "given_key": keys.given_key,
                        "family_key": keys.family_key,
                        "created_by_id": officer_id,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
            )
            person_id += 1
        _redraw_taken(cursor, households, household_table, Household, "code")
        _redraw_taken(cursor, people, person_table, DisplacedPerson, "registration_number")
        # The same commit setting as the import's batches (cases/registry/imports/dry_run.py).
        cursor.execute(ASYNC_COMMIT)
        # Only the COPY and its commit are timed: the rows are ready, as a file would be. The
        # commit counts: it runs the foreign-key checks, which Django's constraints defer to it.
        started = time.monotonic()
        household_table.copy(cursor, households)
        person_table.copy(cursor, people)
        reset_sequence(cursor, Household)
        reset_sequence(cursor, DisplacedPerson)
        copied = time.monotonic()
    return copied - started, time.monotonic() - started


def _redraw_taken(cursor: Any, rows: list[list[Any]], table: Any, model: Any, field: str) -> None:
    """Draw again the random codes that a registered row holds already (as the import does)."""
    from protection import codes

    position = table.columns.index(field)
    prefix = codes.HOUSEHOLD_PREFIX if field == "code" else codes.PERSON_PREFIX
    cursor.execute(
        f"SELECT {field} FROM {model._meta.db_table} WHERE {field} = ANY(%s)",  # noqa: S608
        [[row[position] for row in rows]],
    )
    taken = {found for (found,) in cursor.fetchall()}
    for row in rows:
        if row[position] in taken:
            row[position] = codes.new_code(prefix)


def _known_found(job: Any, known: list[Any]) -> int:
    """Return how many of the known people's rows the dry run matched with the person."""
    rows = job.rows.filter(household_ref__startswith="K").values_list("household_ref", "duplicates")
    matched = {ref: {m.get("person") for m in found} for ref, found in rows}
    return sum(
        person.pk in matched.get(f"K{number}", set())
        for number, person in enumerate(known, start=1)
    )


def main(argv: list[str]) -> int:
    args = _arguments(argv)
    from benchmarks.__main__ import _recreate_database, _registry_size

    size = _registry_size(args.database_url)
    generate = size is None or size < args.people
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
    from django.utils import timezone

    from benchmarks import generate as generator
    from benchmarks.measure import sample_people
    from camps.models import SiteStatus
    from cases.models import DisplacedPerson, ImportRowStatus, ImportStatus
    from cases.registry.imports import services
    from cases.registry.imports.commit import registry_import_commit
    from cases.registry.imports.dry_run import registry_import_dry_run
    from protection import access
    from protection.accounts.models import User
    from protection.reference_data import load_reference_data

    rng = random.Random(args.seed)
    print(f"Command: .venv/bin/python -m benchmarks.imports {' '.join(argv)}", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if generate:
        print(f"Generating a registry of {args.people:,} people ...", flush=True)
        load_reference_data()
        context = generator.create_organisations(sites=args.sites, rng=rng)
        generator.load_registry(context, people=args.people, rng=rng, progress=print)
    officer = User.objects.get(username="unhcr_officer")
    site = access.sites_for(officer).filter(status=SiteStatus.OPEN).order_by("pk").first()
    assert site is not None and access.site_allows_registration(officer, site)
    registered = DisplacedPerson.objects.count()
    print(f"Registry: {registered:,} people; importing {args.rows:,} rows into {site.code}")
    # New arrivals each run: a file drawn again would duplicate the last run's imports.
    file_rng = random.Random(args.seed + registered)
    visible = access.people_for(officer).filter(nationality__isnull=False)
    drawn = [p.pk for p in sample_people(file_rng, 3 * args.known)] if args.known else []
    known = list(visible.filter(pk__in=drawn).select_related("nationality", "displacement_status"))[
        : args.known
    ]
    lines = _file(args.rows - len(known), file_rng, timezone.localdate(), names=args.names)
    lines += _known_lines(known, file_rng, timezone.localdate())
    data = _csv(lines)

    started = time.monotonic()
    job = services.registry_import_upload(
        actor=officer, site=site, file_name="bench.csv", data=data
    )
    uploaded = time.monotonic()
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    registry_import_dry_run(import_id=job.pk)
    checked = time.monotonic()
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED, job.status
    counts = {
        status: job.rows.filter(status=status).count()
        for status in (ImportRowStatus.ACCEPTED, ImportRowStatus.REFUSED, ImportRowStatus.DUPLICATE)
    }
    services.registry_import_commit_start(actor=officer, registry_import=job)
    commit_started = time.monotonic()
    registry_import_commit(import_id=job.pk)
    finished = time.monotonic()
    job.refresh_from_db()
    imported = job.rows_imported
    total = finished - started
    print(
        f"Dry run: {counts[ImportRowStatus.ACCEPTED]:,} accepted, "
        f"{counts[ImportRowStatus.REFUSED]:,} refused, "
        f"{counts[ImportRowStatus.DUPLICATE]:,} held as possible duplicates"
    )
    found = _known_found(job, known)
    print(
        f"Registered people typed again: {found:,} of {len(known):,} held with the person "
        f"among their likely duplicates ({100 * found / max(len(known), 1):.1f} %)"
    )
    print(
        f"Import: upload {uploaded - started:.1f} s, dry run {checked - uploaded:.1f} s, "
        f"commit {finished - commit_started:.1f} s ({imported:,} people with audit events)"
    )
    import_rate = args.rows / total
    copy_seconds, committed_seconds = _copy_same_rows(
        lines, officer.pk, officer.agency_id or 0, site.pk
    )
    copy_rate = args.rows / committed_seconds
    print(f"Validated, de-duplicated, audited import: {import_rate:,.0f} rows/s (file rows)")
    print(
        f"PostgreSQL COPY of the same rows, committed: {copy_rate:,.0f} rows/s "
        f"(the COPY {copy_seconds:.1f} s, its commit with the deferred foreign-key checks "
        f"{committed_seconds - copy_seconds:.1f} s)"
    )
    print(f"Ratio: {100 * import_rate / copy_rate:.1f} % of COPY")
    print(f"Database: {connection.settings_dict['NAME']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
