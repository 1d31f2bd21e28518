"""Reads that run ahead on a second database connection while the caller works.

The dry run's blocking statements are PostgreSQL's work; reading the rows, scoring the blocks
and writing the fates are Python's. One after the other they use one of the machine's cores at
a time. Here the statements run in a thread of their own, in the order they were asked for, on
that thread's own connection (Django gives each thread one), so that the database walks the
indexes for the next batches while the caller scores this one. A read the thread has not
started when the caller needs it runs in the caller's thread instead, on the caller's
connection: when the caller would only wait, both cores walk the indexes. (Two threads running
statements all along were slower on two cores: they and the caller took each other's CPU.)

Measured on a dry run of 20,000 rows at 1,000,000 people, 1,000 of the rows registered people
typed again, three runs each: 17.3-18.1 s in turn, 12.6-15.2 s with one statement a batch read
ahead, 11.8-12.1 s with statements of 500 rows, taken up here when not started.

A second connection sees only what is committed. Inside a transaction (a caller's atomic
block, as in most tests) the caller's own writes would be invisible to it, so there, and on
SQLite, each read runs in the caller's thread when the caller asks for its result: the same
results, one at a time.
"""

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, cast

from django.db import connection

T = TypeVar("T")


class Read(Generic[T]):
    """A read asked for ahead: `result()` waits for it, or runs it here if it has not started."""

    def __init__(self, function: Callable[..., T], args: tuple[Any, ...]) -> None:
        self.function, self.args = function, args
        self.future: Future[T] | None = None

    def take(self) -> bool:
        """Take the read from the second connection if it has not started it (or there is
        none); the caller then runs it with `run`."""
        return self.future is None or self.future.cancel()

    def run(self) -> T:
        return self.function(*self.args)

    def result(self) -> T:
        return self.run() if self.take() else cast("Future[T]", self.future).result()


def results(reads: Sequence[Read[T]]) -> list[T]:
    """Return the reads' results in order. Those the second connection has not started run
    here first, the last first (it takes them from the front), while it finishes the others."""
    here = {
        index: reads[index].run() for index in reversed(range(len(reads))) if reads[index].take()
    }
    return [here[index] if index in here else read.result() for index, read in enumerate(reads)]


Submit = Callable[..., Read[Any]]


def _close_connection() -> None:
    connection.close()


@contextmanager
def reads_ahead(*, ahead: bool = True) -> Iterator[Submit]:
    """Yield `submit(function, *args) -> Read`: outside a transaction, on PostgreSQL, the reads
    start in order on a second connection; elsewhere, or unless `ahead` (the reads would share
    state that is not safe in two threads), each runs when its result is asked for. Leaving
    cancels the reads not yet started, waits for the one running and closes the second
    connection."""
    if not ahead or connection.in_atomic_block or connection.vendor != "postgresql":
        yield lambda function, *args: Read(function, args)
        return
    reads: list[Read[Any]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reads-ahead") as pool:

        def submit(function: Callable[..., T], *args: Any) -> Read[T]:
            read = Read(function, args)
            read.future = pool.submit(function, *args)
            reads.append(read)
            return read

        try:
            yield submit
        finally:
            for read in reads:
                assert read.future is not None
                read.future.cancel()
            pool.submit(_close_connection).result()
