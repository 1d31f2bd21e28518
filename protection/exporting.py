"""Writers of exported tables: CSV, XLSX and HXL, row by row, whatever the number of rows.

A table is its columns (a header a person reads, and an HXL hashtag with attributes) and an
iterator of rows. CSV and HXL are produced as chunks of bytes for a streaming response or a
file; XLSX is written by openpyxl in write-only mode, which keeps one row in memory at a time
(the workbook is a zip, so it is written to a file and the file is streamed). HXL is CSV with
a second header row of hashtags (https://hxlstandard.org), which HXL tools read as the schema.

Every text cell that a spreadsheet would take for a formula (starting with =, +, -, @, a tab
or a carriage return) is prefixed with an apostrophe: an exported name must never run as code
on the reader's machine (OWASP, "CSV injection").
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# Rows written between two chunks of a streamed CSV: large enough to keep the overhead per
# chunk small, small enough to keep the memory flat.
CHUNK_ROWS = 1000

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV (spreadsheet, plain text)")
    XLSX = "xlsx", _("Excel workbook (XLSX)")
    HXL = "hxl", _("HXL (humanitarian exchange language, CSV)")


CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.HXL: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {ExportFormat.CSV: "csv", ExportFormat.HXL: "hxl.csv", ExportFormat.XLSX: "xlsx"}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an exported table: its header, and its HXL hashtag and attributes.

    A column of individual rows also names the field it is read from (a values_list path),
    and may convert the value read (a UTC time to the local day, say); a column a dataset's
    own render fills (several fields in one cell, a value from another table) names none.
    """

    label: Any  # a lazy translation: the header is written in the reader's language
    hxl: str
    field: str = ""
    convert: Callable[[Any], Any] | None = None


def cell(value: Any) -> Any:
    """Return a value as an export cell: dates as ISO text, text defused, None blank."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def header_rows(columns: Sequence[Column], *, hxl: bool) -> list[list[str]]:
    """Return the header row, and the hashtag row under it in HXL."""
    rows = [[str(column.label) for column in columns]]
    if hxl:
        rows.append([column.hxl for column in columns])
    return rows


def csv_chunks(
    columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, hxl: bool
) -> Iterator[bytes]:
    """Yield the table as UTF-8 CSV, CHUNK_ROWS rows at a time (a BOM for spreadsheets in CSV)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if not hxl:
        buffer.write("\ufeff")  # so that spreadsheets read the UTF-8 (Arabic names) right
    writer.writerows(header_rows(columns, hxl=hxl))
    pending = 0
    for row in rows:
        writer.writerow([cell(value) for value in row])
        pending += 1
        if pending >= CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def xlsx_write(
    path: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    title: str,
    hxl: bool = False,
) -> int:
    """Write the table to an XLSX file at path, one row at a time; return the rows written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    for header in header_rows(columns, hxl=hxl):
        sheet.append(header)
    written = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        written += 1
    workbook.save(path)
    return written


def file_chunks(path: Path, *, delete: bool, size: int = 64 * 1024) -> Iterator[bytes]:
    """Yield a file's bytes; remove it once read when delete is set (a temporary file)."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(size):
                yield chunk
    finally:
        if delete:
            path.unlink(missing_ok=True)
