"""Chain every audit event and access-log row to the one before it, so that tampering shows.

Each row carries its position in its table's chain (`seq`), the hash of the row before it
(`prev_hash`) and a SHA-256 over its own content and those two (`row_hash`): canonical JSON of
every content column, listed below by name so that the hash never changes meaning silently
(a test fails when a model gains a column that no list mentions). Changing a row breaks its
own hash, removing one leaves a gap in `seq` and a `prev_hash` that points nowhere, and
`manage.py audit_verify` walks the chains and names the first row where either shows. Without
a secret key a database owner could still rewrite the whole chain from the altered row on, and
cutting rows off the end leaves no gap: operators who need that covered record the head that
`audit_verify` prints somewhere the database owner cannot write.

One chain per table, not one per agency. A writer takes a transaction-scoped advisory lock
on the chain (`pg_advisory_xact_lock`), reads the head and inserts; the lock is held until the
surrounding transaction commits, because the next writer must see this row as the head. So
writes to one chain are serialized from their first audit call to their commit. Most services
record the event last, just before they commit, and a read logged by a view is its own short
transaction, so the lock is held for an insert and a commit; a household registration records
the household first and then each member, and holds the lock for the rest of its transaction.
One chain per table keeps one total order, one walk for `audit_verify`, and a removal anywhere
shows as a gap; per-agency chains would spread the waiting over agencies, but every
platform-level row (superusers, tasks) would still share one chain, and the writers of one
busy agency, where contention is, would still queue. The unique constraint on `seq` is the
backstop: a writer that got past the lock could not fork the chain, its insert would fail.

Deadlocks: a transaction that logs a read inside a larger transaction (a selector called from
a service) might later record an audit event, while another does the opposite. Both locks are
therefore taken in one order: inside an outer transaction, logging a read takes the audit lock
first, then the access lock; a read logged on its own (autocommit) takes only the access lock
and waits for nothing else while holding it.

SQLite (the development default) serializes writers itself: the dev settings open every
transaction with BEGIN IMMEDIATE, which takes the database's write lock before the head is read.
"""

import datetime
import functools
import hashlib
import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, models, router, transaction
from django.utils import timezone

from protection.bulk_insert import COPY_ROWS_FROM, copy_lines, csv_cell, next_ids
from protection.models import AccessLog, AuditEvent, ChainPrune

GENESIS = "0" * 64
# Appends of this many rows or more (a bulk import's audit events) go in one COPY; those whose
# ids nobody reads (a page's access log: 50 rows in 10 ms by bulk_create, 4 ms by COPY) from 20.
COPY_FROM_ROWS, COPY_WITHOUT_IDS_FROM_ROWS = 200, COPY_ROWS_FROM
# Two-key advisory locks: (namespace, chain); the namespace keeps clear of other lock users.
LOCK_NAMESPACE = 0x70726F74  # "prot"

Row = TypeVar("Row", AuditEvent, AccessLog)


@dataclass(frozen=True)
class Chain:
    """One hash chain: the table, its lock key and the columns its hash covers."""

    name: str
    model: type[AuditEvent] | type[AccessLog]
    lock_key: int
    content: tuple[str, ...]


AUDIT_CHAIN = Chain(
    name="audit",
    model=AuditEvent,
    lock_key=1,
    content=(
        "created_at",
        "actor_id",
        "agency_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "changes",
        "channel",
        "ip_address",
    ),
)
ACCESS_CHAIN = Chain(
    name="access",
    model=AccessLog,
    lock_key=2,
    content=(
        "created_at",
        "user_id",
        "agency_id",
        "object_type",
        "object_id",
        "purpose",
        "part",
        "channel",
        "ip_address",
    ),
)
CHAINS = {chain.name: chain for chain in (AUDIT_CHAIN, ACCESS_CHAIN)}
CHAIN_FIELDS = ("seq", "prev_hash", "row_hash")


def chain_of(model: type[models.Model]) -> Chain:
    """Return the chain that `model`'s rows belong to."""
    for chain in CHAINS.values():
        if chain.model._meta.label_lower == model._meta.label_lower:
            return chain
    raise LookupError(f"{model._meta.label} rows are not chained.")


def _json_value(value: Any) -> Any:
    """Return `value` as the JSON column gives it back: lists for tuples, whole floats as ints."""
    if isinstance(value, dict):
        return {str(key): _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        # jsonb keeps 1.0 but turns 1e20 into 100000000000000000000: hash both as integers.
        return int(value)
    return value


@functools.lru_cache(maxsize=4096)
def _ip(value: str) -> str:
    # PostgreSQL's inet and Django both normalize addresses; hash the normal form.
    return str(ipaddress.ip_address(value))


def _canonical(name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    if name == "ip_address":
        return _ip(value)
    if name == "changes":
        return _json_value(value)
    return value


def row_digest(chain: Chain, *, seq: int, prev_hash: str, values: Mapping[str, Any]) -> str:
    """Return the hash of one row from its content columns (by attribute name) and its link."""
    payload = {name: _canonical(name, values[name]) for name in chain.content}
    payload["seq"] = seq
    payload["prev_hash"] = prev_hash
    text = json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_lock(chain: Chain, *, using: str, after_audit: bool = False) -> None:
    """Hold `chain`'s lock until the current transaction ends (PostgreSQL; no-op elsewhere).

    With `after_audit`, take the audit chain's lock first, so that every transaction that
    holds both took them in the same order.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    keys = [chain.lock_key]
    if after_audit and chain is not AUDIT_CHAIN:
        keys.insert(0, AUDIT_CHAIN.lock_key)
    # The select list is evaluated left to right: the audit lock, then this chain's.
    locks = ", ".join("pg_advisory_xact_lock(%s, %s)" for _key in keys)
    params = [part for key in keys for part in (LOCK_NAMESPACE, key)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {locks}", params)


def chain_head(chain: Chain, *, using: str) -> tuple[int, str]:
    """Return (seq, row hash) of the newest row of `chain`, or (0, GENESIS) when it is new.

    Retention may have removed every row (protection/retention_kinds.py): the chain then goes
    on from the last row removed, which its latest ChainPrune records. One query either way.
    """
    table = connections[using].ops.quote_name(chain.model._meta.db_table)
    prunes = connections[using].ops.quote_name(ChainPrune._meta.db_table)
    sql = (
        "SELECT seq, row_hash FROM ("  # noqa: S608 (table names from the models, no input)
        f"SELECT * FROM (SELECT seq, row_hash FROM {table} ORDER BY seq DESC LIMIT 1) AS newest "
        "UNION ALL "
        f"SELECT * FROM (SELECT up_to_seq, up_to_hash FROM {prunes} WHERE chain = %s "
        "ORDER BY up_to_seq DESC LIMIT 1) AS latest_prune"
        ") AS heads ORDER BY seq DESC LIMIT 1"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [chain.name])
        head = cursor.fetchone()
    return (int(head[0]), str(head[1])) if head else (0, GENESIS)


_encode_text = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False) for a str
_SHARED_TYPES = (str, int, bool, type(None), datetime.datetime)


def _dumps(value: Any) -> str:
    if type(value) is str:
        return _encode_text(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


class _Digester:
    """row_digest for many rows: the same text, each key's JSON written once per value seen.

    The canonical JSON of a row is its sorted keys with their values; most columns of a bulk
    append hold one value for every row (actor, action, time, channel), so their JSON is kept
    by value, and only the rest (object id, label, changes, seq, link) is written per row.
    """

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        self.keys = sorted([*chain.content, "seq", "prev_hash"])
        self.heads = {key: _encode_text(key) + ":" for key in self.keys}
        self.seen: dict[tuple[str, type, Any], str] = {}
        # The JSON text of the last row's changes when they are plain ids (what COPY can store).
        self.changes_text: str | None = None
        # Each key's last value and its JSON part: a bulk append repeats the same objects.
        self.last: dict[str, tuple[Any, str]] = {}
        self.orders: dict[tuple[Any, ...], list[tuple[Any, str]]] = {}

    def _part(self, name: str, value: Any) -> str:
        if isinstance(value, _SHARED_TYPES):
            key = (name, type(value), value)  # True and 1 are equal keys, not equal JSON
            found = self.seen.get(key)
            if found is None:
                found = self.seen[key] = _dumps(_canonical(name, value))
            return found
        return _dumps(_canonical(name, value))

    def digest(self, *, seq: int, prev_hash: str, values: Mapping[str, Any]) -> str:
        parts = []
        self.changes_text = None
        last = self.last
        heads = self.heads
        for key in self.keys:
            if key == "seq":
                parts.append(heads[key] + str(seq))
                continue
            if key == "prev_hash":
                parts.append(heads[key] + _encode_text(prev_hash))
                continue
            value = values[key]
            held = last.get(key)
            if held is not None and held[0] is value:  # the very value of the row before
                parts.append(held[1])
                continue
            if key == "changes" and (text := _id_pairs_json(value, self.orders)) is not None:
                part = heads[key] + text
                self.changes_text = text
            else:
                part = heads[key] + self._part(key, value)
            if isinstance(value, _SHARED_TYPES):
                last[key] = (value, part)
            parts.append(part)
        text = "{" + ",".join(parts) + "}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _id_pairs_json(
    changes: Any, orders: dict[tuple[Any, ...], list[tuple[Any, str]]]
) -> str | None:
    """Return the canonical JSON of changes that are all [before, after] pairs of ids or None
    (a bulk import's events), written directly; None for any other shape. `orders` keeps
    each set of names sorted and encoded, as bulk events repeat the same names."""
    if type(changes) is not dict:
        return None
    names = tuple(changes)
    order = orders.get(names)
    if order is None:
        if not all(type(name) is str for name in names):
            return None
        order = orders[names] = [(name, _encode_text(name) + ":[") for name in sorted(names)]
    parts = []
    for name, head in order:
        pair = changes[name]
        if type(pair) is not list or len(pair) != 2:
            return None
        before, after = pair
        if before is None:
            first = "null"
        elif type(before) is int:
            first = str(before)
        else:
            return None
        if after is None:
            second = "null"
        elif type(after) is int:
            second = str(after)
        else:
            return None
        parts.append(f"{head}{first},{second}]")
    return "{" + ",".join(parts) + "}"


class ChainStamper:
    """Give rows their place in a chain, continuing from a known head (bulk loaders use it)."""

    def __init__(self, chain: Chain, head: tuple[int, str]) -> None:
        self.chain: Chain = chain
        self.seq, self.prev_hash = head
        self.digester = _Digester(chain)

    def stamp(self, values: dict[str, Any]) -> dict[str, Any]:
        """Add seq, prev_hash and row_hash to the attribute values of the next row."""
        self.seq += 1
        row_hash = self.digester.digest(seq=self.seq, prev_hash=self.prev_hash, values=values)
        values.update(seq=self.seq, prev_hash=self.prev_hash, row_hash=row_hash)
        self.prev_hash = row_hash
        return values


def chain_append(rows: Sequence[Row], *, ids: bool = True) -> list[Row]:
    """Insert `rows` at the head of their chain, in order, under the chain's lock.

    Call inside the caller's transaction when there is one: the lock then lasts until it
    commits. The rows' time is set here, under the lock, so it grows along the chain. With
    `ids=False` the caller never reads the rows' ids: they may be left unset (the table's
    sequence gives them), which lets a page's worth of rows go in as COPY text.
    """
    rows = list(rows)
    if not rows:
        return rows
    model = type(rows[0])
    chain = chain_of(model)
    using = router.db_for_write(model)
    nested = connections[using].in_atomic_block
    with transaction.atomic(using=using, savepoint=False):
        chain_lock(chain, using=using, after_audit=nested)
        stamper = ChainStamper(chain, chain_head(chain, using=using))
        now = timezone.now()
        copy_from = COPY_FROM_ROWS if ids else COPY_WITHOUT_IDS_FROM_ROWS
        if len(rows) >= copy_from and connections[using].vendor == "postgresql":
            _copy_chained(stamper, rows, now, using, ids=ids)
            return rows
        for row in rows:
            row.created_at = now
            values = {name: getattr(row, name) for name in chain.content}
            for name, value in stamper.stamp(values).items():
                setattr(row, name, value)
        if len(rows) == 1:
            rows[0].save(force_insert=True, using=using)
        else:
            model.objects.using(using).bulk_create(rows)
    return rows


def _copy_chained(
    stamper: ChainStamper, rows: Sequence[Row], now: datetime.datetime, using: str, *, ids: bool
) -> None:
    """Stamp `rows` and insert them in one COPY, written as text as they are hashed.

    The cells that most rows share (actor, action, time, channel) are written once per value,
    and plain-id changes go in as the very JSON text that was hashed.
    """
    chain: Chain = stamper.chain
    model = chain.model
    by_name = {f.attname: f.column for f in model._meta.concrete_fields}
    # Without ids the table's sequence fills them as the rows go in (no round trip first).
    pks: list[int | None] = [None] * len(rows)
    if ids:
        pks = list(next_ids(model, len(rows), using=using))
    digester = stamper.digester
    cells: dict[tuple[str, type, Any], str] = {}
    lines = []
    for row, pk in zip(rows, pks, strict=True):
        row.created_at = now
        values = {name: getattr(row, name) for name in chain.content}
        stamper.stamp(values)
        for name in CHAIN_FIELDS:
            setattr(row, name, values[name])
        parts = [str(row.seq), row.prev_hash, row.row_hash]
        if pk is not None:
            row.pk = pk
            row._state.adding = False
            parts.insert(0, str(pk))
        for name in chain.content:
            value = values[name]
            if name == "changes" and digester.changes_text is not None:
                parts.append(csv_cell(digester.changes_text))
            elif isinstance(value, _SHARED_TYPES) and name not in ("object_id", "object_repr"):
                key = (name, type(value), value)
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = csv_cell(value)
                parts.append(cell)
            else:
                parts.append(csv_cell(value))
        lines.append(",".join(parts))
    names = ("id", *CHAIN_FIELDS, *chain.content) if ids else (*CHAIN_FIELDS, *chain.content)
    columns = [by_name[name] for name in names]
    copy_lines(model, columns, lines, using=using)
