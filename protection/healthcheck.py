"""A container health check that also revives the process it checks after repeated failures.

Docker restarts a container whose main process exits (`restart: unless-stopped`), but only
marks one unhealthy when its health check fails: a worker that is alive but stuck would stay
stuck until somebody noticed. docker-compose.yml runs each check through this module:

    python -m protection.healthcheck --name worker --failures 3 -- celery ... inspect ping ...

It runs the check, counts failures in a row (in a small file under the temporary directory),
and after `--failures` of them sends SIGTERM to the container's main process (pid 1), so that
it stops (Celery finishes its running tasks first) and Docker starts it again. Its exit status
is the check's, so `docker compose ps` still shows the container unhealthy meanwhile.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

MAIN_PID = 1


def failures_file(name: str) -> Path:
    return Path(tempfile.gettempdir()) / f"protection-health-{name}.failures"


def record(name: str, *, healthy: bool) -> int:
    """Count this result in the run of failures of check `name`; return the run's length."""
    path = failures_file(name)
    if healthy:
        path.unlink(missing_ok=True)
        return 0
    try:
        failures = int(path.read_text(encoding="utf-8") or 0) + 1
    except (FileNotFoundError, ValueError):
        failures = 1
    path.write_text(str(failures), encoding="utf-8")
    return failures


def run_check(command: Sequence[str], timeout: float) -> bool:
    """Run the check; it passes if it exits 0 within `timeout` seconds."""
    try:
        return subprocess.run(list(command), timeout=timeout, check=False).returncode == 0  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"health check did not run to the end: {error}", file=sys.stderr)
        return False


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m protection.healthcheck")
    parser.add_argument("--name", required=True, help="the checked process, for the count file")
    parser.add_argument(
        "--failures", type=int, default=3, help="failures in a row before pid 1 stops"
    )
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds the check may take")
    parser.add_argument("--pid", type=int, default=MAIN_PID, help="the process to stop")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the check and its arguments")
    arguments = parser.parse_args(argv)
    command = arguments.command[1:] if arguments.command[:1] == ["--"] else arguments.command
    if not command:
        parser.error("give the check to run after --")
    healthy = run_check(command, arguments.timeout)
    failures = record(arguments.name, healthy=healthy)
    if failures >= arguments.failures:
        print(
            f"{arguments.name}: {failures} failed health checks in a row; "
            f"stopping pid {arguments.pid} so that it is restarted",
            file=sys.stderr,
        )
        record(arguments.name, healthy=True)
        with contextlib.suppress(ProcessLookupError):
            os.kill(arguments.pid, signal.SIGTERM)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
