"""`make run` works on the embedded defaults: SQLite in WAL mode and the file-system broker.

A fresh var directory goes through the same steps as `make run` (migrate, reference lists,
demo mission), then honcho starts the Procfile: the web answers /healthz, a task sent through
the file-system broker is run by the worker, a worker or beat that is killed comes back (the
supervisor restarts it), and an interrupt stops all three processes.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
PROCFILE = (ROOT / "Procfile").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def embedded_env(var_dir: Path) -> dict[str, str]:
    """Return the environment of `make run` with nothing configured: the embedded defaults."""
    scrubbed = ("DJANGO_", "DATABASE_", "CELERY_", "CACHE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(scrubbed)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "protection.settings.dev",
            "PROTECTION_VAR_DIR": str(var_dir),
            "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A var directory set up the way `make run` sets it up, with a small demo mission."""
    env = embedded_env(tmp_path_factory.mktemp("var"))
    manage(env, "migrate", "--noinput")
    manage(env, "load_reference_data")
    manage(env, "seed_demo", "--households", "12")
    return env


def _sqlite(env: dict[str, str], query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(Path(env["PROTECTION_VAR_DIR"]) / "protection.sqlite3") as db:
        return db.execute(query).fetchall()


def test_setup_runs_on_sqlite_in_wal_mode_and_twice_adds_nothing(embedded: dict[str, str]) -> None:
    assert _sqlite(embedded, "PRAGMA journal_mode") == [("wal",)]
    before = _sqlite(embedded, "SELECT COUNT(*) FROM cases_household")
    assert before == [(12,)]
    manage(embedded, "migrate", "--noinput")
    manage(embedded, "load_reference_data")
    again = manage(embedded, "seed_demo", "--households", "12")
    assert "nothing to add" in again.stdout
    assert _sqlite(embedded, "SELECT COUNT(*) FROM cases_household") == before


def test_procfile_starts_web_worker_and_beat() -> None:
    processes = dict(re.findall(r"^([a-z]+):\s*(.+)$", PROCFILE, flags=re.MULTILINE))
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].startswith("python manage.py runserver ")
    assert "$PORT" in processes["web"]
    # The worker and beat run under the supervisor, which restarts them when they exit.
    for name in ("worker", "beat"):
        supervisor, _, command = processes[name].partition(" -- ")
        assert supervisor == f"python -m protection.supervisor --name {name}"
        assert command.startswith(f"celery -A protection {name}")
    # make run hands its PORT to honcho, which gives it to the first process (web).
    assert "honcho start" in MAKEFILE and "--procfile Procfile" in MAKEFILE
    assert "--port $(PORT)" in MAKEFILE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(predicate: object, timeout: float, stack: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(predicate) and predicate():
            return
        assert stack.poll() is None, "the stack stopped early"
        time.sleep(0.5)
    raise AssertionError("timed out")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _supervised_pid(log: Path, name: str) -> int:
    """Return the pid of the process the supervisor of `name` started last."""
    started = re.findall(rf"supervisor\[{name}\]: started celery \(pid (\d+)\)", log.read_text())
    assert started, log.read_text()[-2000:]
    return int(started[-1])


def _restarted(log: Path, name: str, killed: int) -> bool:
    """Say whether the supervisor of `name` logged the kill of `killed` and started another."""
    text = log.read_text()
    return f"supervisor[{name}]: pid {killed} was killed by SIGKILL" in text and (
        _supervised_pid(log, name) != killed
    )


def _running(pid: int) -> bool:
    """Say whether `pid` runs (a zombie left for init to reap does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_the_stack_serves_runs_a_task_through_the_file_broker_and_stops_on_interrupt(
    embedded: dict[str, str],
) -> None:
    port = _free_port()
    log = Path(embedded["PROTECTION_VAR_DIR"]) / "stack.log"
    command = [str(BIN / "honcho"), "start", "--procfile", "Procfile", "--env", "/dev/null"]
    with log.open("w") as output:
        stack = subprocess.Popen(  # noqa: S603 - honcho from our virtualenv, fixed arguments
            [*command, "--port", str(port)],
            cwd=ROOT,
            env={**embedded, "HOST": "127.0.0.1"},
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        _wait_for(lambda: _healthy(port), 90, stack)
        _wait_for(lambda: "ready." in log.read_text(), 60, stack)
        _sqlite(embedded, "DELETE FROM camps_populationsnapshot")
        manage(
            embedded,
            "shell",
            "-c",
            "from camps.tasks import population_snapshot_take_all; "
            "population_snapshot_take_all.delay()",
        )

        def snapshots_taken() -> bool:
            return _sqlite(embedded, "SELECT COUNT(*) FROM camps_populationsnapshot") == [(4,)]

        _wait_for(snapshots_taken, 60, stack)
        assert "population_snapshot_take_all" in log.read_text()

        # Killed outright (as the kernel's OOM killer would), worker and beat come back, and the
        # new worker runs the next task.
        killed = {name: _supervised_pid(log, name) for name in ("worker", "beat")}
        for pid in killed.values():
            os.kill(pid, signal.SIGKILL)
        for name, pid in killed.items():
            _wait_for(partial(_restarted, log, name, pid), 30, stack)
        _wait_for(lambda: log.read_text().count(" ready.") == 2, 90, stack)
        _sqlite(embedded, "DELETE FROM camps_populationsnapshot")
        manage(
            embedded,
            "shell",
            "-c",
            "from camps.tasks import population_snapshot_take_all; "
            "population_snapshot_take_all.delay()",
        )
        _wait_for(snapshots_taken, 60, stack)
        running = [_supervised_pid(log, name) for name in ("worker", "beat")]
    finally:
        os.killpg(stack.pid, signal.SIGINT)  # what Ctrl-C sends to make and honcho
        stack.wait(timeout=60)
    text = log.read_text()
    for name in ("web", "worker", "beat"):
        assert re.search(rf"{name}\.1 stopped", text), text[-2000:]
    # Each stopped within honcho's grace period: none had to be killed.
    assert "sending SIGKILL" not in text, text[-2000:]
    assert not _healthy(port)
    for pid in running:  # the supervisors took their processes with them
        assert not _running(pid), pid
