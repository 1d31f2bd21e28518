"""A redis-server of a test's own, on a free port, that the test may freeze, kill and restart.

Fault tests never touch the shared Redis on 6379: they start /usr/bin/redis-server here, and it
is always killed when the block ends. By default it keeps nothing (a restart loses whatever was
queued, the worst case for the outbox); `durable=True` keeps an append-only file with an fsync
on every write, as docker-compose's Redis does, so that what was queued or unacknowledged before
a kill is there again after a restart on the same port. `freeze()` is SIGSTOP: the server keeps
its port and the kernel still accepts connections, but nothing answers, the way a hung host
looks to a client.
"""

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One redis-server process on 127.0.0.1:`port`, started and stopped on demand."""

    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="redis-fault-"))
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """Start the server (again, on the same port) and wait until it answers."""
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server, fixed arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                *("--appendonly", "yes" if self.durable else "no"),
                *("--appendfsync", "always"),
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def answers(self) -> bool:
        """Tell whether the server answers PING within a second."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Kill the server at once (SIGKILL): connections drop, the port refuses."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)

    def restart(self, *, down_seconds: float = 0) -> None:
        """Kill the server, stay down for `down_seconds`, start it again on the same port."""
        self.kill()
        time.sleep(down_seconds)
        self.start()

    def freeze(self) -> None:
        """Stop the server (SIGSTOP): connections stay open, nothing answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


@contextlib.contextmanager
def redis_server(*, durable: bool = False) -> Iterator[RedisServer]:
    """Run a redis-server of the caller's own for the duration of the block; always kill it."""
    server = RedisServer(durable=durable)
    server.start()
    try:
        yield server
    finally:
        server.stop()
