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
