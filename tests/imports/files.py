"""Import files for the tests: the template's columns, good rows, a bad row, a duplicate."""

import csv
import datetime
import io
from typing import Any

from django.utils import timezone

from cases.models import RegistryImport
from cases.registry.imports import services

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
        ["A1", "head", "Grace", "Lado", "female", "1985-02-11", "IDP", "SSD", consent, "person", ""],
        ["A1", "child", "Peter", "Lado", "male", "2015-07-30", "IDP", "SSD", consent, "caregiver",
         "CR-AF"],
        ["B2", "head", "Joseph", "Wani", "male", "1979-10-01", "REF", "SSD", consent, "person", ""],
    ]


def bad_and_duplicate_rows() -> list[list[str]]:
    """A row with a bad sex code, and the factories' default person (register_household)."""
    consent = _consent()
    return [
        ["C3", "head", "Mary", "Ajak", "woman", "1991-03-03", "IDP", "SSD", consent, "person", ""],
        ["D4", "head", "Amina", "Mohammed", "female", "1990-05-17", "IDP", "SSD", consent,
         "person", ""],
    ]


def many_rows(households: int) -> list[list[str]]:
    """Return `households` households of two people with names no other row shares."""
    consent = _consent()
    rows = []
    for number in range(households):
        family = f"Family{_letters(number)}"
        rows.append([f"H{number}", "head", f"Head{_letters(number)}", family, "female",
                     "1980-01-01", "IDP", "SSD", consent, "person", ""])
        rows.append([f"H{number}", "child", f"Child{_letters(number)}", family, "male",
                     "2012-06-01", "IDP", "SSD", consent, "caregiver", ""])
    return rows


def _letters(number: int) -> str:
    """Spell a number in letters, so that phonetic keys differ from row to row."""
    alphabet = "bcdfgklmnprstvz"
    text = ""
    while True:
        number, digit = divmod(number, len(alphabet))
        text += alphabet[digit] + "a"
        if not number:
            return text


def uploaded_import(*, officer: Any, site: Any, **kwargs: Any) -> RegistryImport:
    """Upload the good rows as `officer`, as the upload page would."""
    return services.registry_import_upload(
        actor=officer, site=site, file_name="arrivals.csv", data=csv_bytes(good_rows()), **kwargs
    )
