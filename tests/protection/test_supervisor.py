"""The supervisor of `make run` restarts a process that exits and stops it on a signal.

Each test runs `python -m protection.supervisor` on a small Python child that writes its pid to
a file and sleeps, kills or signals it the way a crash or Ctrl-C would, and reads what the
supervisor did from its log and from the processes that are left.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings

from protection.supervisor import Policy, describe

# The child: append its pid to a file, then sleep; IGNORE_TERM makes it deaf to SIGTERM.
CHILD = """
import os, signal, sys, time
if os.environ.get("IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
with open(sys.argv[1], "a") as pids:
    pids.write(f"{os.getpid()}\\n")
time.sleep(600)
"""


def wait_until(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Supervised:
    def __init__(self, tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> None:
        self.pids_file = tmp_path / "pids"
        self.pids_file.touch()
        self.log_file = tmp_path / "supervisor.log"
        with self.log_file.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
                [
                    *(sys.executable, "-m", "protection.supervisor", "--name", "child"),
                    *options,
                    *("--", sys.executable, "-c", CHILD, str(self.pids_file)),
                ],
                cwd=settings.BASE_DIR,
                env={**os.environ, **(env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def pids(self) -> list[int]:
        return [int(line) for line in self.pids_file.read_text().split()]

    def log(self) -> str:
        return self.log_file.read_text()


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Callable[..., Supervised]]:
    started: list[Supervised] = []

    def start(*options: str, env: dict[str, str] | None = None) -> Supervised:
        started.append(Supervised(tmp_path, *options, env=env))
        return started[-1]

    yield start
    for each in started:  # never leave a supervisor or its child behind
        if each.process.poll() is None:
            each.process.kill()
            each.process.wait(timeout=10)
        for pid in each.pids():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_child_that_dies_is_restarted_with_a_growing_delay(supervised) -> None:
    run = supervised("--first-delay", "0.3")
    wait_until(lambda: len(run.pids()) == 1)
    os.kill(run.pids()[0], signal.SIGKILL)
    wait_until(lambda: len(run.pids()) == 2)
    os.kill(run.pids()[1], signal.SIGKILL)
    wait_until(lambda: len(run.pids()) == 3)

    first, second, third = run.pids()
    assert not alive(first) and not alive(second) and alive(third)
    log = run.log()
    assert f"pid {first} was killed by SIGKILL" in log and "restart 1 in 0.3 s" in log
    assert f"pid {second} was killed by SIGKILL" in log and "restart 2 in 0.6 s" in log
    assert run.process.poll() is None


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_stops_the_child_and_the_supervisor(supervised, stop) -> None:
    run = supervised()
    wait_until(lambda: len(run.pids()) == 1)

    run.process.send_signal(stop)

    assert run.process.wait(timeout=20) == 0
    assert not alive(run.pids()[0])
    assert run.pids() == run.pids()[:1]  # not restarted
    assert f"stopped ({stop.name})" in run.log()


def test_a_child_that_ignores_the_stop_signal_is_killed_after_the_timeout(supervised) -> None:
    run = supervised("--stop-timeout", "1", env={"IGNORE_TERM": "1"})
    wait_until(lambda: len(run.pids()) == 1)

    run.process.terminate()

    assert run.process.wait(timeout=20) == 0
    assert not alive(run.pids()[0])
    assert "did not stop in 1 s: killed" in run.log()


def test_the_delay_doubles_up_to_its_maximum() -> None:
    policy = Policy(first_delay=1, max_delay=30)
    assert [policy.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_exits_are_described_by_status_or_signal() -> None:
    assert describe(3) == "exited with status 3"
    assert describe(-signal.SIGKILL) == "was killed by SIGKILL"
