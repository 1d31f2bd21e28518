"""Load a model's rows into PostgreSQL with COPY, and the index and sequence chores around it.

The benchmark generator and the audit chain benchmark both stream rows this way: a Table
turns a dict of attribute values into the model's columns (with the fields' defaults), and
COPY writes a batch in one statement.
"""

import csv
import datetime
import io
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

NULL = r"\N"


def _cell(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


class Table:
    """The columns of a model's table, filled from a dict by attribute name, with defaults."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None

    def row(self, values: dict[str, Any]) -> list[Any]:
        try:
            return [
                _cell(values[f.attname] if f.attname in values else self.defaults[f.attname])
                for f in self.fields
            ]
        except KeyError as missing:
            raise RuntimeError(
                f"The generator has no value for {self.model.__name__}.{missing}"
            ) from None

    def copy(self, cursor: Any, rows: Iterable[list[Any]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows(rows)
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = self.model._meta.db_table
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '{NULL}')", buffer
        )


def secondary_indexes(cursor: Any, table: str) -> list[tuple[str, str]]:
    """Return (name, definition) of the table's indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    return list(cursor.fetchall())


def next_id(cursor: Any, model: type[models.Model]) -> int:
    # Table names come from the models, never from input.
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
    return int(cursor.fetchone()[0])


def reset_sequence(cursor: Any, model: type[models.Model]) -> None:
    table = model._meta.db_table
    # A model's table name, never input.
    statement = (
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
    )
    cursor.execute(statement)


# COPY's text format: a row is one line of tab-separated cells; these characters are escaped.
TEXT_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def text_cell(value: Any) -> str:
    """Return `value` as one cell of COPY's text format (None is NULL)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(TEXT_ESCAPES)


class TextRows:
    """Lines of COPY text for one model: fixed cells written once, the varying ones per row.

    `varying` names the attributes each row gives, in order, already turned into cells by
    `text_cell` (or known to need no escaping: numbers, dates, codes); every other column takes
    `fixed[attname]`, else the field's default. A row is then one `str.format` call, which is
    what makes millions of rows cheap to write.
    """

    def __init__(
        self, model: type[models.Model], varying: list[str], fixed: dict[str, Any] | None = None
    ) -> None:
        self.model = model
        self.columns: list[str] = []
        cells: list[str] = []
        fixed = fixed or {}
        position = {name: index for index, name in enumerate(varying)}
        for f in model._meta.concrete_fields:
            self.columns.append(f.column)
            if f.attname in position:
                cells.append(f"{{{position[f.attname]}}}")
                continue
            if f.attname in fixed:
                value = fixed[f.attname]
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                raise RuntimeError(f"The generator has no value for {model.__name__}.{f.attname}")
            cells.append(text_cell(value).replace("{", "{{").replace("}", "}}"))
        missing = set(varying) - {f.attname for f in model._meta.concrete_fields}
        if missing:
            raise RuntimeError(f"{model.__name__} has no attribute {sorted(missing)}")
        self.template = "\t".join(cells)
        self.format = self.template.format
        self.lines: list[str] = []

    def add(self, *cells: Any) -> None:
        self.lines.append(self.format(*cells))

    def copy(self, cursor: Any) -> int:
        """COPY the lines gathered so far; return how many rows were written."""
        count = len(self.lines)
        if count:
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            buffer = io.StringIO("\n".join(self.lines) + "\n")
            cursor.copy_expert(f"COPY {self.model._meta.db_table} ({columns}) FROM STDIN", buffer)
            self.lines = []
        return count


# Codes as the app writes them (protection/codes.py): Crockford base 32, "P-7XK2-M9QD". A
# generated record's code is its number scrambled by an invertible map of the 40-bit code
# space, so that codes look random, never repeat, and a resumed run writes the same ones.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_SPACE = 32**8
_CODE_FACTOR = 0x9E3779B97F & (_CODE_SPACE - 1) | 1


# Two code characters for each 10 bits, least significant first.
_PAIRS = [_CODE_ALPHABET[n & 31] + _CODE_ALPHABET[n >> 5] for n in range(1024)]


def scrambled_code(prefix: str, number: int) -> str:
    """Return the code of generated record `number` (unique per prefix and number)."""
    value = (number * _CODE_FACTOR + 0x5DEECE66D) % _CODE_SPACE
    pairs = _PAIRS
    return (
        f"{prefix}-{pairs[value & 1023]}{pairs[(value >> 10) & 1023]}"
        f"-{pairs[(value >> 20) & 1023]}{pairs[value >> 30]}"
    )
