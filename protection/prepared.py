"""Server-side prepared statements, for the few statements that cost more to plan than to run.

The duplicate check's blocking statement (cases.registry.blocking) unions eighteen index walks,
each with the access policy's subquery: PostgreSQL spent 8-9 ms planning it and 13 ms running
it, at every registration. Prepared once per database connection, it is planned once: the
statement's text (with its placeholders) names it, its parameters go with each EXECUTE.

Only PostgreSQL; the caller keeps the plain statement for other databases. Prepared
statements belong to the session, not to a transaction: one prepared in a transaction that
rolls back stays. A connection that Django opens again starts with none, which the record kept
on the connection's wrapper notices (it holds the driver's connection it was made on).
"""

import hashlib
import re
from collections.abc import Sequence
from typing import Any

# A connection keeps at most this many (one per shape of access scope, in practice a handful).
MAX_PREPARED = 32
_PLACEHOLDER = re.compile(r"%(s|%)")
_UNSURE = ""  # in a connection's record: a PREPARE may or may not have been kept


def numbered(sql: str) -> tuple[str, int]:
    """Return `sql` with Django's placeholders (%s) as PostgreSQL's ($1, $2, ...) and the number
    of parameters; escaped percent signs (%%) stay escaped, for the driver to unescape."""
    count = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%%"
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(replace, sql), count


def execute_prepared(
    connection: Any, cursor: Any, sql: str, params: Sequence[Any], *, before: str = ""
) -> None:
    """Run `sql` (with %s placeholders) on `cursor` as this connection's prepared statement.

    One round trip, one statement in Django's query log, whether it is prepared now or was
    before: `PREPARE` (the first time on the connection), then `before` (SET LOCAL ...), then
    `EXECUTE`, in one query string and so in one implicit transaction.
    """
    name = "prepared_" + hashlib.blake2b(sql.encode(), digest_size=10).hexdigest()
    raw = connection.connection
    record = connection.__dict__.get("_prepared_statements")
    if record is None or record[0] is not raw:
        record = (raw, set())
        connection.__dict__["_prepared_statements"] = record
    prepared: set[str] = record[1]
    prepare = ""
    if name not in prepared:
        text, count = numbered(sql)
        if count != len(params):
            raise ValueError(f"{count} placeholders for {len(params)} parameters")
        if len(prepared) >= MAX_PREPARED or _UNSURE in prepared:
            # An error after a PREPARE leaves it unknown whether the statement was kept.
            prepare = "DEALLOCATE ALL;\n"
            prepared.clear()
        prepare += f"PREPARE {name} AS {text};\n"
    arguments = ", ".join(["%s"] * len(params))
    try:
        cursor.execute(f"{prepare}{before}EXECUTE {name}({arguments})", list(params))
    except Exception:
        if prepare:
            prepared.add(_UNSURE)
        raise
    prepared.add(name)
