"""A redis-server of the test's own, on a free port, that a fault test may kill and restart.

The shared Redis on 6379 is never stopped, frozen or flushed by a test; a test that needs the
broker to fail starts one of these instead. It keeps an append-only file (fsync on every write)
in a temporary directory, as docker-compose's Redis does, so that what was queued or
unacknowledged before a kill is there again after a restart on the same port.
"""

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import redis

REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class OwnRedis:
    """Start, kill and restart a redis-server on one port; always stopped on exit."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = Path(tempfile.mkdtemp(prefix="own-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "OwnRedis":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def start(self, *, timeout: float = 10) -> None:
        """Start redis-server on this instance's port and wait until it answers PING."""
        self.process = subprocess.Popen(  # noqa: S603 - the Debian binary, fixed arguments
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--dir", str(self.directory), "--save", ""),
                *("--appendonly", "yes", "--appendfsync", "always"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        client = self.client()
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on {self.port}") from None
                time.sleep(0.05)
            finally:
                client.close()

    def kill(self) -> None:
        """SIGKILL the server, as a crash or an out-of-memory kill would."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def restart(self, *, down_seconds: float = 0) -> None:
        """Kill the server, stay down for `down_seconds`, start it again on the same port."""
        self.kill()
        time.sleep(down_seconds)
        self.start()
