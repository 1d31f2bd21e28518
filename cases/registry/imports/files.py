"""Read an uploaded import file (CSV or XLSX) and write the template officers fill in.

The template's first sheet has one column per field, headed in the officer's language; the
second sheet lists the codes of the reference lists a cell may hold (displacement statuses,
countries, specific needs, documents and the fixed choices).
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from camps.models import Country
from cases.models import DisplacementStatus, DocumentType, SpecificNeed
from cases.registry.imports.columns import COLUMNS, cell_text

MAX_ROWS = 200_000
MAX_COLUMNS = 100
CSV_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass
class ParsedFile:
    headers: list[str]
    rows: list[list[str]]


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def _checked(headers: list[str], rows: Iterator[list[str]]) -> ParsedFile:
    headers = [h.strip() for h in headers]
    while headers and not headers[-1]:
        headers.pop()
    if not headers or not any(headers):
        raise _file_error(_("The file has no header row."))
    if len(headers) > MAX_COLUMNS:
        raise _file_error(_("The file has too many columns."))
    if any(not h for h in headers):
        raise _file_error(_("Every column needs a header in the first row."))
    if len(set(headers)) != len(headers):
        raise _file_error(_("Two columns of the file have the same header."))
    kept: list[list[str]] = []
    width = len(headers)
    for row in rows:
        cells = (row + [""] * width)[:width]
        if not any(cells):
            continue  # blank lines between blocks of a spreadsheet
        kept.append(cells)
        if len(kept) > MAX_ROWS:
            raise _file_error(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    if not kept:
        raise _file_error(_("The file has no rows under its header."))
    return ParsedFile(headers=headers, rows=kept)


def _read_csv(data: bytes) -> ParsedFile:
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise _file_error(_("The file is not text in UTF-8."))
    if "\x00" in text:
        raise _file_error(_("This is not a CSV or XLSX file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        headers = next(reader)
    except StopIteration:
        raise _file_error(_("The file is empty.")) from None
    try:
        return _checked(headers, ([cell.strip() for cell in row] for row in reader))
    except csv.Error:
        raise _file_error(_("The CSV file cannot be read.")) from None


def _read_xlsx(data: bytes) -> ParsedFile:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise _file_error(_("The spreadsheet cannot be read.")) from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    try:
        headers = [cell_text(cell) for cell in next(lines)]
    except StopIteration:
        raise _file_error(_("The file is empty.")) from None
    parsed = _checked(headers, ([cell_text(cell) for cell in row] for row in lines))
    book.close()
    return parsed


def read_upload(name: str, data: bytes) -> ParsedFile:
    """Return the header and rows of an uploaded file, or raise a ValidationError on `file`."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise _file_error(_("This file is not an XLSX spreadsheet."))
        return _read_xlsx(data)
    if lower.endswith(".csv"):
        if data.startswith(b"PK"):
            raise _file_error(_("This file is not a CSV file."))
        return _read_csv(data)
    raise _file_error(_("Upload a CSV or XLSX file."))


def template_headers() -> list[str]:
    """Return the template's headers in the active language."""
    return [str(column.label) for column in COLUMNS]


def reference_codes() -> list[tuple[str, str, str]]:
    """Return (list, code, label) for every code a cell of the template may hold."""
    lines: list[tuple[str, str, str]] = []
    for column in COLUMNS:
        if column.choices is not None:
            lines += [(str(column.label), v, str(label)) for v, label in column.choices.choices]
    status = str(_("Displacement status"))
    lines += [(status, s.code, s.label) for s in DisplacementStatus.objects.filter(active=True)]
    needs = str(_("Specific needs"))
    lines += [(needs, n.code, n.label) for n in SpecificNeed.objects.filter(active=True)]
    documents = str(_("Documents held"))
    lines += [(documents, v, str(label)) for v, label in DocumentType.choices]
    country = str(_("Country"))
    lines += [(country, c.code, c.label) for c in Country.objects.order_by("code")]
    return lines


def template_xlsx(out: IO[bytes]) -> None:
    """Write the XLSX template: the columns on the first sheet, the codes on the second."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = str(_("People"))[:31]
    sheet.append(template_headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    codes = book.create_sheet(str(_("Codes"))[:31])
    codes.append([str(_("List")), str(_("Code")), str(_("Meaning"))])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for line in reference_codes():
        codes.append(list(line))
    book.save(out)


def template_csv() -> str:
    """Return the CSV template: the header row only (the codes are in the XLSX template)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_headers())
    return buffer.getvalue()
