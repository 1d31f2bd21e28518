"""Re-encrypt the stored values of encrypted columns in batches, below the ORM.

Used by the migrations that encrypt the rows written before encryption, and by
`manage.py rotate_keys`. Both read and write the columns with SQL, by primary key in order
(keyset, never OFFSET), one batch per transaction: no model is saved, so no signal fires, no
`updated_at` moves and nothing reaches the audit trail, which must never hold these values.
Each pass only selects the values it still has to change, so a pass that stopped halfway is
resumed by running it again.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations import RunPython

from protection.crypto import cipher, keyring
from protection.crypto.fields import EncryptedJSONField, EncryptedTextField

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class EncryptedColumn:
    table: str
    column: str
    pk: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class BatchDone:
    column: EncryptedColumn
    changed: int
    last_pk: int


def encrypted_columns(registry: Apps = global_apps) -> list[EncryptedColumn]:
    """Return every column that an encrypted field stores, in a stable order."""
    found = []
    for model in registry.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField | EncryptedJSONField):
                found.append(
                    EncryptedColumn(
                        table=model._meta.db_table, column=field.column, pk=model._meta.pk.column
                    )
                )
    return sorted(found, key=str)


def _select_sql(connection: BaseDatabaseWrapper, col: EncryptedColumn, condition: str) -> str:
    quote = connection.ops.quote_name
    pk, value, table = quote(col.pk), quote(col.column), quote(col.table)
    return (
        f"SELECT {pk}, {value} FROM {table} "  # noqa: S608 - names come from the models
        f"WHERE {pk} > %s AND {value} IS NOT NULL AND {value} <> '' AND {condition} "
        f"ORDER BY {pk} LIMIT %s"
    )


def _rewrite(
    col: EncryptedColumn,
    *,
    condition: str,
    params: list[str],
    change: Callable[[str], str],
    batch_size: int,
    using: str,
) -> Iterator[BatchDone]:
    connection = connections[using]
    quote = connection.ops.quote_name
    select = _select_sql(connection, col, condition.format(value=quote(col.column)))
    update = (
        f"UPDATE {quote(col.table)} SET {quote(col.column)} = %s "  # noqa: S608
        f"WHERE {quote(col.pk)} = %s AND {quote(col.column)} = %s"
    )
    last_pk = 0
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute(select, [last_pk, *params, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return
            # Compare-and-set on the old value: a write made meanwhile is left alone.
            cursor.executemany(update, [(change(stored), pk, stored) for pk, stored in rows])
        last_pk = rows[-1][0]
        yield BatchDone(column=col, changed=len(rows), last_pk=last_pk)


_PREFIX_LEN = len(cipher.PREFIX)


def encrypt_clear_values(
    col: EncryptedColumn, *, batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default"
) -> Iterator[BatchDone]:
    """Encrypt, under the primary key, every value of the column still held in clear."""
    ring = keyring.current()
    yield from _rewrite(
        col,
        condition=f"SUBSTR({{value}}, 1, {_PREFIX_LEN}) <> %s",
        params=[cipher.PREFIX],
        change=lambda clear: cipher.encrypt(clear, table=col.table, column=col.column, ring=ring),
        batch_size=batch_size,
        using=using,
    )


def decrypt_values(
    col: EncryptedColumn, *, batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default"
) -> Iterator[BatchDone]:
    """Put every encrypted value of the column back in clear (reversing the migration)."""
    ring = keyring.current()
    yield from _rewrite(
        col,
        condition=f"SUBSTR({{value}}, 1, {_PREFIX_LEN}) = %s",
        params=[cipher.PREFIX],
        change=lambda stored: cipher.decrypt(stored, table=col.table, column=col.column, ring=ring),
        batch_size=batch_size,
        using=using,
    )


def _primary_prefix(ring: keyring.Keyring) -> str:
    return f"{cipher.PREFIX}{ring.primary_kid}:"


def rotate(
    col: EncryptedColumn, *, batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default"
) -> Iterator[BatchDone]:
    """Re-encrypt under the primary key every encrypted value of the column under another."""
    ring = keyring.current()
    prefix = _primary_prefix(ring)

    def reencrypt(stored: str) -> str:
        clear = cipher.decrypt(stored, table=col.table, column=col.column, ring=ring)
        return cipher.encrypt(clear, table=col.table, column=col.column, ring=ring)

    yield from _rewrite(
        col,
        condition=(
            f"SUBSTR({{value}}, 1, {_PREFIX_LEN}) = %s "
            f"AND SUBSTR({{value}}, 1, {len(prefix)}) <> %s"
        ),
        params=[cipher.PREFIX, prefix],
        change=reencrypt,
        batch_size=batch_size,
        using=using,
    )


@dataclass(frozen=True)
class ColumnCounts:
    column: EncryptedColumn
    under_primary: int
    under_other_keys: int
    in_clear: int


def column_counts(col: EncryptedColumn, *, using: str = "default") -> ColumnCounts:
    """Count the column's values under the primary key, under other keys, and in clear."""
    connection = connections[using]
    quote = connection.ops.quote_name
    value = quote(col.column)
    prefix = _primary_prefix(keyring.current())
    sql = (
        "SELECT "  # noqa: S608 - names come from the models
        f"COUNT(*) FILTER (WHERE SUBSTR({value}, 1, {len(prefix)}) = %s), "
        f"COUNT(*) FILTER (WHERE SUBSTR({value}, 1, {_PREFIX_LEN}) = %s "
        f"AND SUBSTR({value}, 1, {len(prefix)}) <> %s), "
        f"COUNT(*) FILTER (WHERE SUBSTR({value}, 1, {_PREFIX_LEN}) <> %s) "
        f"FROM {quote(col.table)} WHERE {value} IS NOT NULL AND {value} <> ''"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, cipher.PREFIX, prefix, cipher.PREFIX])
        primary, other, clear = cursor.fetchone()
    return ColumnCounts(column=col, under_primary=primary, under_other_keys=other, in_clear=clear)


def encrypt_existing_operation(*columns: tuple[str, str]) -> RunPython:
    """Return the migration step that encrypts the (table, column) values written in clear.

    Reversible: going back decrypts them, before the columns lose their encrypted field.
    The migration that uses it should be non-atomic, so that each batch commits and a run
    that stopped resumes where it was.
    """
    targets = [EncryptedColumn(table=table, column=column, pk="id") for table, column in columns]

    def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for col in targets:
            for _ in encrypt_clear_values(col, using=schema_editor.connection.alias):
                pass

    def backward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for col in targets:
            for _ in decrypt_values(col, using=schema_editor.connection.alias):
                pass

    return RunPython(forward, backward, elidable=False)
