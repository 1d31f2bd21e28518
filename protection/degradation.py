"""Carry on without Redis: a pause after a failure, and counters of what was done without it.

The broker and the cache are conveniences on the request path, never the record: the incident
and its outbox rows are in PostgreSQL before either is asked. When one of them fails, the caller
logs a line, counts it here, pauses asking it for a few seconds (so that a frozen server costs
one request its timeout, not every request), and lets the request through.

A pause is shared by the processes of one host (gunicorn's workers, a worker's children)
through the modification time of a file under VAR_DIR/pauses/, so that one request on the host
pays the timeout, not one per process. The counters live in this process's memory, so that
counting never needs the service that is down, nor the database: `degraded_counts()` is what a
health page or a metrics exporter reads, for its own process.
"""

import contextlib
import hashlib
import os
import threading
import time
from collections import Counter
from pathlib import Path

from django.conf import settings

# A pause file claiming more than this is not ours to believe (a clock jump, a stray file).
_LONGEST_PAUSE_SECONDS = 300.0

_lock = threading.Lock()
_counts: Counter[str] = Counter()
_pauses: dict[str, "Pause"] = {}


def degraded(event: str) -> None:
    """Count one operation done without a service, e.g. "cache.error" or "broker.skipped"."""
    with _lock:
        _counts[event] += 1


def degraded_counts() -> dict[str, int]:
    """Return how many operations this process did without each service, since it started."""
    with _lock:
        return dict(_counts)


class Pause:
    """Stop asking a failing service for a while after a failure (a circuit breaker).

    While paused, callers skip the service at once instead of waiting for its timeout again.
    When the pause is over, the first caller on the host tries the service and the others keep
    skipping until it knows: if it succeeds the pause ends (`succeeded`), if it fails the pause
    starts again (`start`). So a frozen server costs the host one timeout per pause.
    """

    def __init__(self, name: str, directory: Path, *, seconds: float) -> None:
        digest = hashlib.sha256(name.encode()).hexdigest()[:20]  # a URL may hold a password
        self._path = directory / f"pause-{digest}"
        self.seconds = seconds
        self._until = 0.0
        self._trying = False

    def skip(self) -> bool:
        """Tell whether to skip the service now (it failed, here or in a sibling process)."""
        now = time.time()
        if now < self._until:
            return True
        try:
            until = self._path.stat().st_mtime
        except OSError:
            return False  # No pause: the service is healthy as far as anyone knows.
        if now < until <= now + _LONGEST_PAUSE_SECONDS:
            self._until = until
            return True
        # The pause is over: this caller tries the service, the others wait for its answer.
        self.start()
        self._until = 0.0
        self._trying = True
        return False

    def start(self) -> None:
        """Note a failure of the service: skip it for the next `seconds`, on this host."""
        self._until = time.time() + self.seconds
        self._trying = False
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            self._path.touch()
            os.utime(self._path, (self._until, self._until))
        except OSError:
            pass  # Not shareable (read-only disk, foreign file): this process pauses alone.

    def succeeded(self) -> bool:
        """Note that the service answered; return True if that ended a pause (it is back)."""
        if not self._trying:
            return False
        self.end()
        return True

    def end(self) -> None:
        self._until = 0.0
        self._trying = False
        with contextlib.suppress(OSError):
            self._path.unlink(missing_ok=True)


def pause_for(service: str, *, seconds: float) -> Pause:
    """Return the pause of a service, named by what identifies it (e.g. its URL)."""
    with _lock:
        if service not in _pauses:
            _pauses[service] = Pause(service, Path(settings.VAR_DIR) / "pauses", seconds=seconds)
        pause = _pauses[service]
        pause.seconds = seconds
        return pause


def reset() -> None:
    """Forget every counter and end every pause (a test starts from a healthy process)."""
    with _lock:
        _counts.clear()
        pauses = list(_pauses.values())
    for pause in pauses:
        pause.end()
