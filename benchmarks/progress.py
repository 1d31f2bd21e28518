"""Remember how far a generation went, so that a killed run goes on where it stopped.

The generator works in chunks of a fixed number of rows. Every id a chunk writes comes from
its number (a base fixed when the run was planned, plus the chunk's offset), and its random
draws from a generator seeded with the run's seed and the chunk's number: the same chunk
always writes the same rows. Each chunk is committed together with a row in the progress
table saying it is done; a resumed run skips the chunks listed there, so nothing is written
twice and nothing is missed. The plan (sizes, bases, the organisations' ids, the indexes
dropped for the load) is one JSON row beside it. Both tables go when the run completes.
"""

import json
from typing import Any

from django.db import connection

PLAN_TABLE = "benchmarks_generator_plan"
DONE_TABLE = "benchmarks_generator_done"


def _exists(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s)", [table])
    return cursor.fetchone()[0] is not None


def saved_plan() -> dict[str, Any] | None:
    """Return the plan of an unfinished run, or None if no run is under way."""
    with connection.cursor() as cursor:
        if not _exists(cursor, PLAN_TABLE):
            return None
        cursor.execute(f"SELECT value FROM {PLAN_TABLE} WHERE id = 1")  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    value = row[0]
    plan: dict[str, Any] = json.loads(value) if isinstance(value, str) else value
    return plan


def save_plan(plan: dict[str, Any]) -> None:
    """Write (or replace) the plan of the run under way."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PLAN_TABLE} (id int PRIMARY KEY, value jsonb)")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {DONE_TABLE} "
            "(stage text, chunk int, PRIMARY KEY (stage, chunk))"
        )
        cursor.execute(
            f"INSERT INTO {PLAN_TABLE} (id, value) VALUES (1, %s) "  # noqa: S608
            "ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(plan)],
        )


def done_chunks(stage: str) -> set[int]:
    """Return the chunks of `stage` already committed."""
    with connection.cursor() as cursor:
        if not _exists(cursor, DONE_TABLE):
            return set()
        cursor.execute(f"SELECT chunk FROM {DONE_TABLE} WHERE stage = %s", [stage])  # noqa: S608
        return {int(row[0]) for row in cursor.fetchall()}


def mark_done(cursor: Any, stage: str, chunk: int) -> None:
    """Record, inside the chunk's transaction, that the chunk is written."""
    cursor.execute(
        f"INSERT INTO {DONE_TABLE} (stage, chunk) VALUES (%s, %s)",  # noqa: S608
        [stage, chunk],
    )


def finish() -> None:
    """Forget the run: it completed."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {PLAN_TABLE}, {DONE_TABLE}")
