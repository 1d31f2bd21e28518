"""DRF renderers that answer a figure or a list as a file: CSV, HXL or XLSX.

An endpoint that offers files names, per renderer, the function that turns its JSON answer
into a table (columns and rows), `table_of`, on subclasses of the renderers below.
The writers are the exports' (protection.exporting): CSV with a byte-order mark for
spreadsheets, HXL with its hashtag row (no mark: HXL tools read it as data), cells a
spreadsheet would run as a formula defused. An answer that is not a table (an error) is
written as JSON: the views answer errors in JSON whatever format was asked.
"""

import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rest_framework import renderers

from protection.exporting import CONTENT_TYPES, Column, ExportFormat, csv_chunks, xlsx_write

Table = tuple[Sequence[Column], Iterable[Sequence[Any]]]
TableOf = Callable[[Any], Table | None]


class TableRenderer(renderers.BaseRenderer):
    """The answer's table as CSV; `hxl` adds the hashtag row. Subclasses set `table_of`
    (a staticmethod: the answer's table, or None when the answer is not one)."""

    media_type = "text/csv"
    format = "csv"
    charset: str | None = "utf-8"
    hxl = False
    table_of: TableOf

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        table = type(self).table_of(data)
        if table is None:
            return renderers.JSONRenderer().render(data)
        columns, rows = table
        return self.write(columns, rows)

    def write(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
        return b"".join(csv_chunks(columns, rows, hxl=self.hxl))


class XlsxTableRenderer(TableRenderer):
    """The answer's table as an Excel workbook of one sheet."""

    media_type = CONTENT_TYPES[ExportFormat.XLSX]
    format = "xlsx"
    charset = None
    render_style = "binary"
    sheet_title = "table"

    def write(self, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "table.xlsx"
            xlsx_write(path, columns, rows, title=self.sheet_title)
            return path.read_bytes()
