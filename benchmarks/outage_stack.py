"""What the outage benchmarks share: a database and a Redis of their own, the app's processes.

Every benchmark here drops and creates its own database (never the working one) and starts
its own redis-server on a free port (tests/redis_server.py, the one the fault tests use), so it
may kill or freeze it. The worker, beat and gunicorn run as subprocesses with the development
settings pointed at that database and that Redis, as `make run` would on PostgreSQL and Redis.
"""

import contextlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def recreate_database(database_url: str) -> None:
    """Drop and create the benchmark's own database (refusing the usual names)."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "protection", "template0", "template1"):
        raise SystemExit(f"Refusing to use {name!r} as the benchmark database.")
    conn = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def environment(
    *, database_url: str, broker_url: str, cache_url: str = "", **extra: str
) -> dict[str, str]:
    """Return the environment of every process of the stack, and set it in this one."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
        "WEBHOOK_REQUIRE_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        **extra,
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    os.environ.update(env)
    return env


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from protection.reference_data import load_reference_data

    call_command("migrate", interactive=False, verbosity=0)
    load_reference_data()


class Process:
    """One process of the stack, logging to a file, started again if it exits (as compose)."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        # "{dir}" in an argument is this process's own directory (beat's schedule file).
        self.name, self.env = name, env
        self.command = [part.replace("{dir}", str(self.directory)) for part in command]
        self.log = self.directory / f"{name}.log"
        self.restarts = 0
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        with self.log.open("ab") as log:
            return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def revive(self) -> None:
        if self.process.poll() is not None:
            self.restarts += 1
            self.process = self._start()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def worker_command(concurrency: int = 2) -> list[str]:
    return [
        sys.executable,
        *("-m", "celery", "-A", "protection.celery:app", "worker", "--loglevel=WARNING"),
        f"--concurrency={concurrency}",
        *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        *("-n", f"bench-{uuid.uuid4().hex[:8]}@%h"),
    ]


def beat_command() -> list[str]:
    return [
        sys.executable,
        *("-m", "celery", "-A", "protection.celery:app", "beat", "--loglevel=INFO"),
        "--schedule={dir}/schedule",
    ]


def web_command(port: int, workers: int = 3) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "protection.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=60",
    ]


@contextlib.contextmanager
def processes(*specs: tuple[str, list[str]], env: dict[str, str]) -> Iterator[list[Process]]:
    """Run the given processes for the duration of the block, reviving any that exits."""
    running = [Process(name, command, env) for name, command in specs]
    stop = threading.Event()

    def keep_alive() -> None:
        while not stop.wait(1):
            for process in running:
                process.revive()

    keeper = threading.Thread(target=keep_alive, daemon=True)
    keeper.start()
    try:
        yield running
    finally:
        stop.set()
        keeper.join(timeout=5)
        for process in running:
            process.stop()


def wait_for_worker(timeout: float = 60) -> None:
    """Wait until a worker answers a ping through the broker."""
    from protection.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise SystemExit(f"No worker answered within {timeout:g} s.")


class Receiver:
    """A partner's webhook endpoint that counts the requests it got per delivery key."""

    def __init__(self) -> None:
        self.keys: Counter[str] = Counter()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("webhook-id") or self.headers.get("Idempotency-Key") or ""
                with receiver.lock:
                    receiver.keys[key] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def duplicates(self) -> int:
        with self.lock:
            return sum(count - 1 for count in self.keys.values())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of the values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(label: str, seconds: list[float]) -> str:
    if not seconds:
        return f"  {label:<38} (none)"
    ms = [s * 1000 for s in seconds]
    return (
        f"  {label:<38} median {statistics.median(ms):7.0f} ms   p95 {percentile(ms, 0.95):7.0f}"
        f" ms   max {max(ms):7.0f} ms   over 1 s: {sum(1 for v in ms if v > 1000)}/{len(ms)}"
    )
