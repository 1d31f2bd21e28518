"""The compose health checks: failures in a row stop the checked process; beat's heartbeat age.

tests/ops/test_compose_health.py runs the same checks against a real worker and beat; these
run them on stand-ins (a sleeping process, a heartbeat file) in the fast suite.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from protection import healthcheck, scheduler


@pytest.fixture(autouse=True)
def own_tmpdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the failure counts of these tests apart from any other run's."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)


@pytest.fixture
def main_process() -> Iterator["subprocess.Popen[bytes]"]:
    """A stand-in for the container's main process."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    yield process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def check(pid: int, result: str) -> int:
    return healthcheck.main(["--name=t", "--failures=3", f"--pid={pid}", "--", result])


def test_a_passing_check_leaves_the_process_alone_and_resets_the_count(main_process) -> None:
    assert check(main_process.pid, "false") == 1
    assert check(main_process.pid, "false") == 1
    assert check(main_process.pid, "true") == 0
    assert check(main_process.pid, "false") == 1
    assert check(main_process.pid, "false") == 1

    time.sleep(0.3)
    assert main_process.poll() is None  # never three failures in a row


def test_the_third_failure_in_a_row_stops_the_process(main_process, capsys) -> None:
    results = [check(main_process.pid, "false") for _ in range(3)]

    assert results == [1, 1, 1]
    assert main_process.wait(timeout=10) == -signal.SIGTERM
    assert "3 failed health checks in a row; stopping pid" in capsys.readouterr().err
    assert healthcheck.record("t", healthy=False) == 1  # the count starts again


def test_a_check_that_hangs_fails_after_its_timeout(main_process) -> None:
    started = time.monotonic()
    status = healthcheck.main(
        ["--name=t", "--timeout=0.5", f"--pid={main_process.pid}", "--", "sleep", "30"]
    )
    assert status == 1
    assert time.monotonic() - started < 10


def test_beats_check_reads_the_age_of_its_heartbeat(tmp_path: Path, capsys) -> None:
    schedule = tmp_path / "celerybeat-schedule"
    assert scheduler.main(["check", str(schedule)]) == 1  # beat never ran
    assert "no heartbeat" in capsys.readouterr().err

    scheduler.heartbeat_touch(schedule)
    assert scheduler.main(["check", str(schedule), "--max-age=60"]) == 0

    old = time.time() - 90
    os.utime(scheduler.heartbeat_path(schedule), (old, old))
    assert scheduler.main(["check", str(schedule), "--max-age=60"]) == 1
    age = re.search(r"beat's last heartbeat is (\d+) s old", capsys.readouterr().err)
    assert age and 90 <= int(age.group(1)) < 120
