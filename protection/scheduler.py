"""Celery beat's scheduler, with a heartbeat file that says beat is alive and not stuck.

A beat process can be running and still enqueue nothing (blocked on a frozen broker, say), and
then escalations and sweeps silently stop. After every scheduling pass beat touches
`<schedule file>.heartbeat`; docker-compose's health check asks its age:

    python -m protection.scheduler check /app/var/celerybeat-schedule --max-age 60

Beat wakes at least every `HEARTBEAT_SECONDS`, so a fresh heartbeat is never older than that.
"""

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from celery.beat import PersistentScheduler

HEARTBEAT_SECONDS = 15
HEARTBEAT_SUFFIX = ".heartbeat"


def heartbeat_path(schedule_filename: str | Path) -> Path:
    """Return the heartbeat file beside the beat schedule file `schedule_filename`."""
    return Path(f"{schedule_filename}{HEARTBEAT_SUFFIX}")


def heartbeat_touch(schedule_filename: str | Path) -> None:
    """Mark a scheduling pass now, by this process's clock (the one heartbeat_age reads)."""
    path = heartbeat_path(schedule_filename)
    path.touch()
    now = time.time()
    os.utime(path, (now, now))


def heartbeat_age(schedule_filename: str | Path) -> float | None:
    """Return the seconds since beat's last scheduling pass, or None if it never ran."""
    try:
        return max(time.time() - heartbeat_path(schedule_filename).stat().st_mtime, 0.0)
    except FileNotFoundError:
        return None


class HeartbeatScheduler(PersistentScheduler):
    """The persistent (shelve) scheduler that touches its heartbeat after every pass."""

    # Wake at least this often even when nothing is due, so the heartbeat stays fresh.
    max_interval = HEARTBEAT_SECONDS

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval: float = super().tick(*args, **kwargs)
        heartbeat_touch(self.schedule_filename)
        return interval


def main(argv: Sequence[str] | None = None) -> int:
    """`check SCHEDULE --max-age S`: exit 0 if beat's heartbeat is younger than S seconds."""
    parser = argparse.ArgumentParser(prog="python -m protection.scheduler")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="is beat's heartbeat fresh?")
    check.add_argument("schedule", help="beat's schedule file (its --schedule)")
    check.add_argument("--max-age", type=float, default=4 * HEARTBEAT_SECONDS)
    arguments = parser.parse_args(argv)
    age = heartbeat_age(arguments.schedule)
    if age is None:
        print(f"beat has no heartbeat at {heartbeat_path(arguments.schedule)}", file=sys.stderr)
        return 1
    if age > arguments.max_age:
        print(f"beat's last heartbeat is {age:.0f} s old", file=sys.stderr)
        return 1
    print(f"beat's last heartbeat is {age:.0f} s old")
    return 0


if __name__ == "__main__":
    sys.exit(main())
