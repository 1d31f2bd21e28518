"""Catch a real worker inside a chained write, to kill it there.

The audit and access-log chains serialise their inserts under a PostgreSQL advisory lock
(protection/audit_chain.py). A test holds that lock, waits until a worker's session queues
behind it (so the worker is inside its transaction, between its first write and its commit),
kills the worker, lets go of the lock, and waits for the dead session to end.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from protection.audit_chain import LOCK_NAMESPACE, Chain


@contextmanager
def chain_lock_held(chain: Chain) -> Iterator[None]:
    """Hold the chain's advisory lock in the test's session for the `with` block."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, chain.lock_key])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, chain.lock_key])


def session_waiting_for(chain: Chain) -> int | None:
    """Return the pid of a session waiting for the chain's lock, if one is."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = %s AND objid = %s",
            [LOCK_NAMESPACE, chain.lock_key],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def session_gone(pid: int) -> bool:
    """Whether the session `pid` has ended (a killed worker's, once given the lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None
