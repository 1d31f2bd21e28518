"""Keep one process running: restart it with a back-off when it exits, stop it on a signal.

`make run` starts the Celery worker and beat under it (see Procfile), because honcho stops the
whole stack when any one process exits, and a worker that died when Redis dropped would
otherwise leave alerts unsent until somebody noticed. Each restart is logged. SIGINT or SIGTERM
(Ctrl-C, honcho stopping the stack) stops the process and this supervisor with it:

    python -m protection.supervisor --name worker -- celery -A protection worker ...

The process runs in a session of its own, so that a signal to the supervisor's group (honcho
stopping the stack) reaches it once, from the supervisor, rather than reaching it and its
children (a Celery worker's pool processes) all at the same moment: killed under their parent's
feet, the pool processes left the worker's warm shutdown waiting until honcho killed it. On
Linux the kernel also stops the process if the supervisor itself is killed.

It reads no settings and opens no database: only the command line.
"""

import argparse
import ctypes
import ctypes.util
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@dataclass(frozen=True)
class Policy:
    """How soon to restart, and how long to wait for a process that is asked to stop."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    # A process that ran this long before it exited is restarted after `first_delay` again.
    stable_after: float = 60.0
    # A process gets this long to stop after the signal before it is killed (within honcho's
    # own 5 s, after which it kills the supervisor, and the kernel the process).
    stop_timeout: float = 4.5

    def delay(self, failures: int) -> float:
        """Return the wait before restart number `failures` of a row of quick exits."""
        return float(min(self.first_delay * 2 ** max(failures - 1, 0), self.max_delay))


class Supervisor:
    """Run `command` until a stop signal; restart it whenever it exits by itself."""

    def __init__(self, command: Sequence[str], *, name: str, policy: Policy) -> None:
        self.command = list(command)
        self.name = name
        self.policy = policy
        self.stopping = threading.Event()
        self.stop_signal = signal.SIGTERM
        self.restarts = 0

    def log(self, message: str) -> None:
        print(f"supervisor[{self.name}]: {message}", file=sys.stderr, flush=True)

    def request_stop(self, signum: int, frame: FrameType | None = None) -> None:
        self.stop_signal = signal.Signals(signum)
        self.stopping.set()

    def run(self) -> int:
        """Supervise until stopped; return the exit status for this process."""
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.request_stop)
        failures = 0
        while not self.stopping.is_set():
            started = time.monotonic()
            try:
                process = subprocess.Popen(  # noqa: S603 - the command we were given
                    self.command, start_new_session=True, preexec_fn=_stop_with_parent
                )
            except OSError as error:
                self.log(f"cannot start {self.command[0]}: {error}")
                return 127
            self.log(f"started {self.command[0]} (pid {process.pid})")
            status = self.wait(process)
            if self.stopping.is_set():
                break
            ran = time.monotonic() - started
            failures = 1 if ran >= self.policy.stable_after else failures + 1
            delay = self.policy.delay(failures)
            self.restarts += 1
            self.log(
                f"pid {process.pid} {describe(status)} after {ran:.1f} s; "
                f"restart {self.restarts} in {delay:g} s"
            )
            self.stopping.wait(delay)
        self.log(f"stopped ({self.stop_signal.name})")
        return 0

    def wait(self, process: "subprocess.Popen[bytes]") -> int:
        """Wait for `process` to exit, stopping it first if a stop signal arrives."""
        while True:
            try:
                return process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                if self.stopping.is_set():
                    return self.stop(process)

    def stop(self, process: "subprocess.Popen[bytes]") -> int:
        process.send_signal(self.stop_signal)
        try:
            return process.wait(timeout=self.policy.stop_timeout)
        except subprocess.TimeoutExpired:
            self.log(f"pid {process.pid} did not stop in {self.policy.stop_timeout:g} s: killed")
            process.kill()
            return process.wait()


PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> None:
    """In the new process, before it runs the command: SIGTERM it if the supervisor dies."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def describe(status: int) -> str:
    """Say how a process ended, from its Popen return code."""
    if status < 0:
        try:
            return f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            return f"was killed by signal {-status}"
    return f"exited with status {status}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m protection.supervisor",
        description="Run a command; restart it with a back-off whenever it exits.",
    )
    parser.add_argument("--name", default="process", help="the name in the log lines")
    parser.add_argument("--first-delay", type=float, default=Policy.first_delay)
    parser.add_argument("--max-delay", type=float, default=Policy.max_delay)
    parser.add_argument("--stable-after", type=float, default=Policy.stable_after)
    parser.add_argument("--stop-timeout", type=float, default=Policy.stop_timeout)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the command and arguments")
    arguments = parser.parse_args(argv)
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    if not command:
        parser.error("give the command to run after --")
    policy = Policy(
        first_delay=arguments.first_delay,
        max_delay=arguments.max_delay,
        stable_after=arguments.stable_after,
        stop_timeout=arguments.stop_timeout,
    )
    return Supervisor(command, name=arguments.name, policy=policy).run()


if __name__ == "__main__":
    sys.exit(main())
