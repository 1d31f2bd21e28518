"""docker-compose restarts web, worker and beat, and its health checks catch a stuck one.

Docker cannot run here, so each check is run as the container would run it, against the real
process started with the service's own command and production settings: the worker's ping
answers while the worker runs and fails while it is frozen (SIGSTOP), and after the failures
in a row the check stops the process so that Docker restarts it; beat's check reads the
heartbeat that the real beat writes, and fails once the heartbeat is old. The broker is a
redis-server of the test's own.
"""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.test_compose import ROOT, SERVICES, command_of, production_env
from tests.redis_server import redis_server

BIN = Path(sys.executable).parent


def check_command(service: str) -> list[str]:
    """Return the service's health check as the container runs it (`$$` is compose's `$`)."""
    test = SERVICES[service]["healthcheck"]["test"]
    if test[0] == "CMD-SHELL":
        return shlex.split(test[1].replace("$$HOSTNAME", socket.gethostname()))
    assert test[0] == "CMD"
    return [str(part) for part in test[1:]]


def aimed_at(check: list[str], pid: int) -> list[str]:
    """Point the check's revival at `pid` instead of the container's pid 1."""
    index = check.index("protection.healthcheck") + 1
    return [*check[:index], f"--pid={pid}", *check[index:]]


def run(check: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our virtualenv's commands, from the compose file
        [str(BIN / check[0]) if check[0] in {"python", "celery"} else check[0], *check[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def container_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The worker's production environment, on a broker of the test's own."""
    with redis_server(durable=True) as broker:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
        env = {**keep, **production_env("worker")}
        env.update(
            {
                "CELERY_BROKER_URL": broker.url(),
                "TMPDIR": str(tmp_path),  # where the check counts its failures
                "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            }
        )
        yield env


def test_web_worker_and_beat_are_restarted_when_they_exit() -> None:
    for name in ("web", "worker", "beat"):
        assert SERVICES[name]["restart"] in {"unless-stopped", "always"}, name
    assert SERVICES["migrate"]["restart"] == "no"


def test_worker_and_beat_health_checks_revive_after_failures_in_a_row() -> None:
    for name, failures in (("worker", 3), ("beat", 2)):
        check = check_command(name)
        assert check[:3] == ["python", "-m", "protection.healthcheck"], name
        assert f"--failures={failures}" in check or check[check.index("--failures") + 1] == str(
            failures
        )
        healthcheck = SERVICES[name]["healthcheck"]
        assert healthcheck["retries"] >= 2 and healthcheck["start_period"]
    ping = check_command("worker")
    assert ping[ping.index("--") + 1 :][:5] == ["celery", "-A", "protection", "inspect", "ping"]
    assert int(ping[ping.index("--timeout") + 1]) <= 10


def test_worker_check_passes_while_it_answers_and_stops_it_when_frozen(
    container_env: dict[str, str], tmp_path: Path
) -> None:
    command = [c.replace("${WORKER_CONCURRENCY:-4}", "1") for c in command_of("worker")]
    with (tmp_path / "worker.log").open("w") as log:
        worker = subprocess.Popen(  # noqa: S603 - the compose command, from our virtualenv
            [str(BIN / command[0]), *command[1:]],
            cwd=ROOT,
            env=container_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    check = aimed_at(check_command("worker"), worker.pid)
    try:
        deadline = time.monotonic() + 90
        while " ready." not in (tmp_path / "worker.log").read_text():
            assert worker.poll() is None and time.monotonic() < deadline, "worker did not start"
            time.sleep(0.5)
        answered = run(check, container_env)
        assert answered.returncode == 0, answered.stdout + answered.stderr

        worker.send_signal(signal.SIGSTOP)  # alive, but answers nothing
        results = [run(check, container_env) for _ in range(3)]
        assert [result.returncode for result in results] == [1, 1, 1]
        assert "3 failed health checks in a row" in results[-1].stderr
        worker.send_signal(signal.SIGCONT)  # the SIGTERM the check sent is handled now
        assert worker.wait(timeout=60) == 0  # a warm shutdown: Docker starts it again
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGCONT)
            worker.kill()
            worker.wait(timeout=10)


def test_beat_check_follows_the_heartbeat_of_the_real_beat(
    container_env: dict[str, str], tmp_path: Path
) -> None:
    schedule = tmp_path / "celerybeat-schedule"
    command = [c.replace("/app/var/celerybeat-schedule", str(schedule)) for c in command_of("beat")]
    with (tmp_path / "beat.log").open("w") as log:
        beat = subprocess.Popen(  # noqa: S603 - the compose command, from our virtualenv
            [str(BIN / command[0]), *command[1:]],
            cwd=ROOT,
            env=container_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    check = [
        c.replace("/app/var/celerybeat-schedule", str(schedule))
        for c in aimed_at(check_command("beat"), beat.pid)
    ]
    heartbeat = Path(f"{schedule}.heartbeat")
    try:
        deadline = time.monotonic() + 60
        while not heartbeat.exists():
            assert beat.poll() is None and time.monotonic() < deadline, "beat wrote no heartbeat"
            time.sleep(0.5)
        fresh = run(check, container_env)
        assert fresh.returncode == 0, fresh.stderr

        beat.send_signal(signal.SIGSTOP)  # stuck: no pass, no heartbeat
        # From the file's own time: beat and the check keep the real clock, this test may not.
        stale = heartbeat.stat().st_mtime - 120
        os.utime(heartbeat, (stale, stale))
        results = [run(check, container_env) for _ in range(2)]
        assert [result.returncode for result in results] == [1, 1]
        age = re.search(r"beat's last heartbeat is (\d+) s old", results[0].stderr)
        assert age and int(age.group(1)) >= 120, results[0].stderr
        assert "2 failed health checks in a row" in results[1].stderr
        beat.send_signal(signal.SIGCONT)
        beat.wait(timeout=60)  # stopped by the check, for Docker to start again
    finally:
        if beat.poll() is None:
            beat.send_signal(signal.SIGCONT)
            beat.kill()
            beat.wait(timeout=10)
