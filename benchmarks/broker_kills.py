"""Count how many Redis kills a Celery worker survives: `python -m benchmarks.broker_kills`.

Each run starts a redis-server of its own on a free port (append-only, so nothing queued is lost
by the kill), a worker (prefork, 2 processes, the project's broker settings: late
acknowledgement, prefetch 1, visibility timeout 3600 s) on a small app defined here, and sends
it a task that sleeps 3 s. While that message is unacknowledged, Redis is killed (SIGKILL),
stays down `--down` seconds and is started again on the same port; then one more task is sent.
A run counts as survived when the worker is still running and has done both tasks, and nothing
is left unacknowledged or queued. `--python` runs the worker with another virtualenv's Python,
to compare Celery releases:

    python -m benchmarks.broker_kills --runs 10
    python -m benchmarks.broker_kills --runs 10 --python /tmp/celery570/bin/python
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from celery import Celery

from tests.redis_server import redis_server

HOLD_SECONDS = 3
ROOT = Path(__file__).resolve().parent.parent

# The worker's app (`celery -A benchmarks.broker_kills worker`): the project's broker settings.
app = Celery("broker_kills", broker=os.environ.get("BROKER_KILLS_URL", "memory://"))
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_transport_options={"visibility_timeout": 3600},
    broker_connection_retry_on_startup=True,
)


@app.task(name="broker_kills.hold")
def hold(journal: str, mark: str, seconds: float) -> None:
    """Sleep `seconds`, then append `mark` to the file `journal`."""
    time.sleep(seconds)
    with Path(journal).open("a", encoding="utf-8") as log:
        log.write(f"{mark}\n")


def wait(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.1)
    return False


def one_run(python: str, down: float) -> tuple[bool, str]:
    """Kill Redis under a worker holding a message; return (survived, what happened)."""
    directory = Path(tempfile.mkdtemp(prefix="broker-kills-"))
    journal, log_path = directory / "journal", directory / "worker.log"
    journal.touch()
    with redis_server(durable=True) as server, log_path.open("w") as log:
        env = {**os.environ, "BROKER_KILLS_URL": server.url(), "PYTHONPATH": str(ROOT)}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        worker = subprocess.Popen(  # noqa: S603 - a Python interpreter the user named
            [
                *(python, "-m", "celery", "-A", "benchmarks.broker_kills", "worker"),
                *("--pool=prefork", "--concurrency=2", "--loglevel=INFO"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
                *("-n", f"broker-kills-{uuid.uuid4().hex[:6]}@%h"),
            ],
            cwd=directory,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if not wait(lambda: " ready." in log_path.read_text(), 60):
                return False, f"the worker did not start: {log_path}"
            publisher = Celery(broker=server.url())
            publisher.send_task("broker_kills.hold", args=[str(journal), "in-flight", HOLD_SECONDS])
            with server.client() as client:
                if not wait(lambda: client.hlen("unacked") == 1, 20):
                    return False, "the task was never received"
            time.sleep(0.5)
            server.restart(down_seconds=down)
            publisher = Celery(broker=server.url())
            publisher.send_task("broker_kills.hold", args=[str(journal), "after", 0])
            done = wait(
                lambda: worker.poll() is not None or "after" in journal.read_text().split(), 40
            )
            marks = journal.read_text().split()
            with server.client() as client:
                left = client.hlen("unacked") + client.llen("celery")
            alive = worker.poll() is None
            crashed = "Unrecoverable error" in log_path.read_text()
            survived = done and alive and not crashed and "in-flight" in marks and left == 0
            detail = f"alive={alive} done={marks} left={left}" + (" CRASHED" if crashed else "")
            return survived, detail
        finally:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broker_kills")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--down", type=float, default=2.0, help="seconds Redis stays down")
    parser.add_argument("--python", default=sys.executable, help="the worker's interpreter")
    arguments = parser.parse_args(argv)
    versions = subprocess.run(  # noqa: S603 - the interpreter the user named
        [
            arguments.python,
            "-c",
            "import celery, kombu, redis; print(celery.__version__, "
            "kombu.__version__, redis.__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(f"celery {versions[0]}, kombu {versions[1]}, redis-py {versions[2]}")
    survived = 0
    for run in range(1, arguments.runs + 1):
        ok, detail = one_run(arguments.python, arguments.down)
        survived += ok
        print(f"run {run}: {'survived' if ok else 'DIED'} ({detail})", flush=True)
    print(f"survived {survived} of {arguments.runs} broker kills")
    return 0


if __name__ == "__main__":
    sys.exit(main())
