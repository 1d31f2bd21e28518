"""A total time limit for one network call, so that a send always ends before its claim's lease.

A socket timeout bounds each read, not the call: a receiver that answers one byte at a time could
keep a send going past its lease, and another sender would then claim the same delivery. `CutOff`
shuts the call's sockets down when the limit is reached; the blocked read returns at once and
the caller, seeing `expired`, records "no answer in time".
"""

import contextlib
import socket
import threading
from collections.abc import Callable
from types import TracebackType


class CutOff:
    """Shut down the watched sockets `seconds` after entering the block, unless it ended first."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._finders: list[Callable[[], socket.socket | None]] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket) -> socket.socket:
        """Shut `sock` down if the limit is reached; return it (shut already if it was)."""
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)
        return sock

    def watch_found(self, find: Callable[[], socket.socket | None]) -> None:
        """At the limit, shut down the socket `find` returns then (for clients that hide it)."""
        with self._lock:
            self._finders.append(find)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
            finders = list(self._finders)
        for find in finders:
            found = find()
            if found is not None:
                sockets.append(found)
        for sock in sockets:
            _shut(sock)

    def __enter__(self) -> "CutOff":
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    # Already closed, or never connected: then nothing is waiting on it.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
