"""Insert model instances with PostgreSQL COPY: the fast path of bulk loaders.

bulk_create prepares every value of every row through the field's methods and sends one long
INSERT; COPY takes the rows as CSV in one stream. The ids come from the table's sequence first,
so the caller holds every instance with its primary key, as bulk_create would leave them.
Values are written from the instances' attributes: foreign keys by id, dates in ISO form, JSON
fields as JSON, booleans as t/f; auto_now fields take `now`. Only PostgreSQL runs this.
"""

import datetime
import io
import json
import time
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

Model = TypeVar("Model", bound=models.Model)

# The table's sequence is looked up once (OFFSET 0 keeps the subquery from being folded into
# the outer one, which looked it up again for each id: 8 times slower for 20,000 ids).
_NEXT_IDS = (
    "SELECT nextval(seq.id_sequence) FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass"
    " AS id_sequence OFFSET 0) AS seq CROSS JOIN generate_series(1, %s)"
)


def _cell(value: Any) -> str:
    if type(value) is str:  # the most frequent cell first: bulk loaders write millions
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""  # an unquoted empty field is NULL in COPY's CSV format
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return '"' + str(value).replace('"', '""') + '"'


csv_cell = _cell  # one value as a cell of COPY's CSV format


def copy_insert(
    model: type[Model],
    instances: Sequence[Model],
    *,
    now: datetime.datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Give `instances` ids from the table's sequence and insert them in one COPY.

    auto_now fields take `now`; without it they keep the value the caller set.
    """
    if not instances:
        return
    meta = model._meta
    table = meta.db_table
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_IDS, [table, len(instances)])
        ids = [row[0] for row in cursor.fetchall()]
        fields = list(meta.concrete_fields)
        stamped = [
            f.attname
            for f in fields
            if now is not None
            and isinstance(f, models.DateTimeField)
            and (f.auto_now or f.auto_now_add)
        ]
        attnames = [f.attname for f in fields]
        pk_name = meta.pk.attname
        buffer = io.StringIO()
        write = buffer.write
        for instance, pk in zip(instances, ids, strict=True):
            values = instance.__dict__
            values[pk_name] = pk
            for name in stamped:
                values[name] = now
            instance._state.adding = False
            write(",".join(map(_cell, map(values.__getitem__, attnames))))
            write("\n")
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        _copy(connection, cursor, f"{connection.ops.quote_name(table)} ({columns})", buffer)


_LOGGED_COPY_CHARS = 65_536


def _copy(connection: Any, cursor: Any, target: str, buffer: io.StringIO) -> None:
    """COPY the CSV in `buffer` into `target` (table and columns), logged as Django logs a
    query when it keeps them (DEBUG, the tests' query budgets): COPY goes round its cursor.
    A small COPY (a page's access log) is logged with its rows, so that a capture can replay
    it (benchmarks.request_speed)."""
    sql = f"COPY {target} FROM STDIN WITH (FORMAT csv)"
    started = time.monotonic()
    cursor.cursor.copy_expert(sql, buffer)
    if connection.queries_logged:
        entry = {"sql": sql, "time": f"{time.monotonic() - started:.3f}"}
        if buffer.tell() <= _LOGGED_COPY_CHARS:
            entry["copy"] = buffer.getvalue()
        connection.queries_log.append(entry)


def next_ids(model: type[models.Model], count: int, *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Draw `count` ids from `model`'s table sequence (one round trip)."""
    if count <= 0:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(_NEXT_IDS, [model._meta.db_table, count])
        return [row[0] for row in cursor.fetchall()]


def csv_line(values: Sequence[Any]) -> str:
    """Return one line of COPY's CSV format for `values` (see _cell), without its newline."""
    return ",".join(map(_cell, values))


def copy_lines(
    model: type[models.Model],
    columns: Sequence[str],
    lines: Sequence[str],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """COPY ready CSV lines (see csv_line) into `model`'s table, filling `columns` in order.

    The fast path for bulk loaders that build rows as tuples instead of model instances. The
    values go in as the database stores them, so a model with fields that transform their
    value on the way in (encrypted fields) is refused: write those with copy_insert.
    """
    if not lines:
        return
    meta = model._meta
    by_column = {f.column: f for f in meta.concrete_fields}
    for column in columns:
        field = by_column[column]
        if hasattr(field, "_encrypt"):  # protection.crypto.fields: ciphertext is made per value
            raise ValueError(f"{meta.label}.{field.name} is encrypted: use copy_insert.")
    connection = connections[using]
    buffer = io.StringIO("\n".join(lines) + "\n")
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        _copy(connection, cursor, f"{connection.ops.quote_name(meta.db_table)} ({names})", buffer)


# Fewer rows than this go in by bulk_create: COPY's set-up costs more than it saves.
COPY_ROWS_FROM = 20


def insert_rows(
    model: type[models.Model],
    attnames: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Insert `rows` (values for `attnames`, in order) into `model`'s table; nothing is
    returned, so nobody reads the new ids. COPY on PostgreSQL from COPY_ROWS_FROM rows (50 of a
    household's dismissed matches: 5.5 ms by bulk_create, 1.4 ms by COPY), else bulk_create."""
    if not rows:
        return
    if len(rows) >= COPY_ROWS_FROM and connections[using].vendor == "postgresql":
        by_name = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = [by_name[name] for name in attnames]
        copy_lines(model, columns, [csv_line(row) for row in rows], using=using)
        return
    model._default_manager.using(using).bulk_create(
        model(**dict(zip(attnames, row, strict=True))) for row in rows
    )
