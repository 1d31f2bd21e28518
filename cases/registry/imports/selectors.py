"""Reads of bulk imports: an agency's imports, one import, and its row report.

An import is its agency's: another agency's import is not found (404), and a role that
cannot register people sees none. The report carries row numbers, statuses, column names,
the problems found and the codes and scores of likely duplicates, never a person's name.
"""

import csv
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import ImportRow, ImportRowStatus, RegistryImport
from cases.registry.imports.columns import BY_NAME, cells_by_field, row_cells
from protection import access
from protection.access import Action

if TYPE_CHECKING:
    from protection.accounts.types import Viewer

REPORT_PREVIEW_ROWS = 50


def registry_import_list(*, user: "Viewer") -> QuerySet[RegistryImport]:
    """Return the imports of the user's agency, newest first."""
    agency = access.agency_of(user)
    if agency is None or not access.can(user, Action.IMPORT_PEOPLE):
        return RegistryImport.objects.none()
    return RegistryImport.objects.filter(agency=agency).select_related("site", "created_by")


def registry_import_get(*, user: "Viewer", pk: int) -> RegistryImport:
    """Return one import of the user's agency, or raise Http404."""
    found = registry_import_list(user=user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def row_counts(registry_import: RegistryImport) -> dict[str, int]:
    """Return how many rows have each status (one grouped read)."""
    counts = Counter(
        dict(
            registry_import.rows.order_by()
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    )
    return {status: counts.get(status, 0) for status in ImportRowStatus.values}


def problem_rows(registry_import: RegistryImport) -> QuerySet[ImportRow]:
    """Return the first rows refused or held, for the page's preview of the report."""
    return registry_import.rows.filter(
        status__in=[ImportRowStatus.REFUSED, ImportRowStatus.DUPLICATE]
    ).order_by("row_number")[:REPORT_PREVIEW_ROWS]


@dataclass(frozen=True)
class HeldRow:
    """A row held as a possible duplicate, as the officer reviews it."""

    row: ImportRow
    cells: dict[str, str]
    candidates: list[dict[str, Any]]


REVIEW_CELLS = ("household_ref", "given_name", "family_name", "sex", "date_of_birth")


def held_rows(registry_import: RegistryImport) -> list[HeldRow]:
    """Return the first rows held for review, with what the file says and their candidates.

    The row's own cells come from the agency's file (no registered person is read); a
    candidate is named by its registration number and score, or by its row in the file.
    """
    columns = cells_by_field(registry_import)
    rows = registry_import.rows.filter(status=ImportRowStatus.DUPLICATE).order_by("row_number")
    held = []
    for row in rows[:REPORT_PREVIEW_ROWS]:
        cells = row_cells(row.values, columns)
        held.append(
            HeldRow(
                row=row,
                cells={name: cells.get(name, "") for name in REVIEW_CELLS},
                candidates=list(row.duplicates),
            )
        )
    return held


def column_label(name: str) -> str:
    column = BY_NAME.get(name)
    return str(column.label) if column else name


def describe_problems(row: ImportRow) -> str:
    """Return a row's problems as one line: column: message; ..."""
    parts = [
        f"{column_label(name)}: {' '.join(texts)}" for name, texts in sorted(row.errors.items())
    ]
    for match in row.duplicates:
        if "registration_number" in match:
            parts.append(
                _("possible duplicate of %(code)s (score %(score)s)")
                % {"code": match["registration_number"], "score": match["score"]}
            )
        else:
            parts.append(
                _("possible duplicate of row %(row)s (score %(score)s)")
                % {"row": match["row"], "score": match["score"]}
            )
    return "; ".join(parts)


def report_lines(registry_import: RegistryImport) -> Iterator[str]:
    """Yield the row report as CSV lines: row, status, registration number, problems."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([_("Row"), _("Status"), _("Registration number"), _("Problems")])
    yield flush()
    labels = dict(ImportRowStatus.choices)
    rows = registry_import.rows.select_related("person").order_by("row_number")
    for row in rows.iterator(chunk_size=2000):
        writer.writerow(
            [
                row.row_number,
                str(labels[row.status]),
                row.person.registration_number if row.person else "",
                describe_problems(row),
            ]
        )
        yield flush()
