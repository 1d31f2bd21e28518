"""The Celery worker of the latency benchmark: the project's worker, noting when each task starts
and ends, so that the benchmark can tell the queue's wait from the send.

`python -m benchmarks.latency_worker <celery worker options>`; BENCH_TRACE_URL names the Redis
database where the times go (hashes bench:started and bench:finished, by delivery id).
"""

import os
import sys
import time
from typing import Any

import redis
from celery.signals import task_postrun, task_prerun

DELIVERY_SEND = "protection.notifications.tasks.delivery_send"


def main(argv: list[str]) -> None:
    from protection.celery import app

    trace = redis.Redis.from_url(os.environ["BENCH_TRACE_URL"])

    def note(key: str, task: Any, args: Any) -> None:
        if getattr(task, "name", "") == DELIVERY_SEND and args:
            trace.hset(key, str(args[0]), repr(time.time()))

    @task_prerun.connect(weak=False)
    def started(task: Any = None, args: Any = None, **kwargs: Any) -> None:
        note("bench:started", task, args)

    @task_postrun.connect(weak=False)
    def finished(task: Any = None, args: Any = None, **kwargs: Any) -> None:
        note("bench:finished", task, args)

    app.worker_main(argv=["worker", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
