"""Import files for the tests: the template's columns, good rows, a bad row, a duplicate."""

import csv
import datetime
import io
import random
from typing import Any

from django.utils import timezone

from cases.models import RegistryImport
from cases.registry.imports import services
from cases.registry.imports.dry_run import registry_import_dry_run
from tests.factories import register_household
from tests.names import syllable_name

HEADERS = [
    "household_ref",
    "relationship_to_head",
    "given_name",
    "family_name",
    "sex",
    "date_of_birth",
    "displacement_status",
    "nationality",
    "consent_date",
    "consent_given_by",
    "specific_needs",
]


def csv_bytes(rows: list[list[str]], headers: list[str] = HEADERS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _consent() -> str:
    return (timezone.localdate() - datetime.timedelta(days=3)).isoformat()


def good_rows() -> list[list[str]]:
    consent = _consent()
    return [
        [
            "A1",
            "head",
            "Grace",
            "Lado",
            "female",
            "1985-02-11",
            "IDP",
            "SSD",
            consent,
            "person",
            "",
        ],
        [
            "A1",
            "child",
            "Peter",
            "Lado",
            "male",
            "2015-07-30",
            "IDP",
            "SSD",
            consent,
            "caregiver",
            "CR-AF",
        ],
        ["B2", "head", "Joseph", "Wani", "male", "1979-10-01", "REF", "SSD", consent, "person", ""],
    ]


def bad_and_duplicate_rows() -> list[list[str]]:
    """A row with a bad sex code, and the factories' default person (register_household)."""
    consent = _consent()
    return [
        ["C3", "head", "Mary", "Ajak", "woman", "1991-03-03", "IDP", "SSD", consent, "person", ""],
        [
            "D4",
            "head",
            "Amina",
            "Mohammed",
            "female",
            "1990-05-17",
            "IDP",
            "SSD",
            consent,
            "person",
            "",
        ],
    ]


def many_rows(households: int) -> list[list[str]]:
    """Return `households` households of two people whom the duplicate check tells apart."""
    consent = _consent()
    rng = random.Random(households)
    rows = []
    used: set[str] = set()
    for number in range(households):
        family, head, child = (_new_name(rng, used) for _ in range(3))
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(15_000))
        rows.append(
            [
                f"H{number}",
                "head",
                head,
                family,
                "female",
                born.isoformat(),
                "IDP",
                "SSD",
                consent,
                "person",
                "",
            ]
        )
        child_born = datetime.date(2008, 1, 1) + datetime.timedelta(days=rng.randrange(3_000))
        rows.append(
            [
                f"H{number}",
                "child",
                child,
                family,
                "male",
                child_born.isoformat(),
                "IDP",
                "SSD",
                consent,
                "caregiver",
                "",
            ]
        )
    return rows


def _new_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = syllable_name(rng)
        if name not in used:
            used.add(name)
            return name


def uploaded_import(*, officer: Any, site: Any, **kwargs: Any) -> RegistryImport:
    """Upload the good rows as `officer`, as the upload page would."""
    return services.registry_import_upload(
        actor=officer, site=site, file_name="arrivals.csv", data=csv_bytes(good_rows()), **kwargs
    )


def validated_import(*, officer: Any, site: Any) -> RegistryImport:
    """Upload the good rows and run their dry run: the import is ready to commit."""
    job = uploaded_import(officer=officer, site=site)
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    registry_import_dry_run(import_id=job.pk)
    job.refresh_from_db()
    return job


# The row of good_rows() + bad_and_duplicate_rows() that the dry run holds as a duplicate.
HELD_ROW = 6


def held_import(*, officer: Any, site: Any, register: bool = True) -> RegistryImport:
    """An import whose dry run held row HELD_ROW as a possible duplicate of a registered person
    (the factories' default household, registered first unless `register` is off)."""
    if register:
        register_household(actor=officer, site=site)
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes(good_rows() + bad_and_duplicate_rows()),
    )
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    registry_import_dry_run(import_id=job.pk)
    job.refresh_from_db()
    return job
