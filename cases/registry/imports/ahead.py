"""Reads that run ahead on a second database connection while the caller works.

The dry run's blocking statements are PostgreSQL's work; reading the rows, scoring the blocks
and writing the fates are Python's. One after the other they use one of the machine's cores at
a time. Here the statements run in a thread of their own, in the order they were asked for, on
that thread's own connection (Django gives each thread one), so that the database walks the
indexes for the next batches while the caller scores this one. One thread: on two cores, a
second one running statements made both the statements and the caller slower (dry run of
20,000 rows 13.5 -> 15.9 s, benchmarks.imports).

A second connection sees only what is committed. Inside a transaction (a caller's atomic
block, as in most tests) the caller's own writes would be invisible to it, so there, and on
SQLite, each read runs at once in the caller's thread instead: the same results, one at a time.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import connection

T = TypeVar("T")

Submit = Callable[..., "Future[Any]"]


def _now(function: Callable[..., T], *args: Any) -> "Future[T]":
    """Run `function` at once; return its result (or its error) as a done future."""
    future: Future[T] = Future()
    try:
        future.set_result(function(*args))
    except BaseException as error:
        future.set_exception(error)
    return future


def _close_connection() -> None:
    connection.close()


@contextmanager
def reads_ahead() -> Iterator[Submit]:
    """Yield `submit(function, *args) -> Future`: reads run in order on a second connection
    (outside a transaction, on PostgreSQL), or at once. Leaving cancels the reads not yet
    started, waits for the one running and closes the second connection."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield _now
        return
    pending: list[Future[Any]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reads-ahead") as pool:

        def submit(function: Callable[..., T], *args: Any) -> "Future[T]":
            future = pool.submit(function, *args)
            pending.append(future)
            return future

        try:
            yield submit
        finally:
            for future in pending:
                future.cancel()
            pool.submit(_close_connection).result()
