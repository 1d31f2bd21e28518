"""Ask the broker how long its queues are and which workers answer, never waiting long.

Both questions go to Redis with connect and read timeouts of about a second, so that a broker
that is down, or frozen (the process stopped, its port still accepting), makes a figure
"unknown" instead of hanging the page or the monitor. Asking the workers (`celery inspect
ping`) waits the whole timeout for replies, so it runs on a thread of its own, at most one at
a time per process, and its answer is kept for a few seconds: a monitor that polls often
costs the workers one ping per period, and a request waits at most the timeout.
"""

import concurrent.futures
import logging
import os
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from celery import current_app
from django.conf import settings
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's prioritised messages in lists next to the queue's
# own: "<queue>\x06\x16<priority>" for its default priority steps 3, 6 and 9.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)

# Why a figure is unknown (stable codes for monitors; the page says them in words).
UNREACHABLE = "broker_unreachable"
NO_ANSWER = "no_answer_in_time"
NOT_REDIS = "not_a_redis_broker"


def queue_names() -> list[str]:
    """Return the names of the Celery queues the workers consume (the default one, and any
    the configuration declares or routes to)."""
    conf = current_app.conf
    names = [str(conf.task_default_queue)]
    for queue in conf.task_queues or ():
        names.append(str(getattr(queue, "name", queue)))
    routes = conf.task_routes
    if isinstance(routes, dict):
        names.extend(
            str(r["queue"]) for r in routes.values() if isinstance(r, dict) and "queue" in r
        )
    return list(dict.fromkeys(names))


def _is_redis(url: str) -> bool:
    return urlsplit(url).scheme in {"redis", "rediss"}


@dataclass(frozen=True)
class QueueDepth:
    """Messages waiting per queue, or why they could not be counted."""

    by_queue: dict[str, int]
    error: str = ""

    @property
    def total(self) -> int | None:
        return None if self.error else sum(self.by_queue.values())


def _filesystem_depth() -> QueueDepth:
    """Count the message files of each queue in the development broker's folder."""
    folder = (current_app.conf.broker_transport_options or {}).get("data_folder_in")
    if not folder:
        return QueueDepth({}, error=NOT_REDIS)
    try:
        files = os.listdir(folder)
    except OSError:
        return QueueDepth({}, error=UNREACHABLE)
    return QueueDepth(
        {name: sum(file.endswith(f".{name}.msg") for file in files) for name in queue_names()}
    )


def queue_depth(*, timeout: float | None = None) -> QueueDepth:
    """Count the messages waiting in each Celery queue (Redis LLEN), within `timeout` seconds.

    The development stack's file-system broker (`make run` without CELERY_BROKER_URL) is
    counted from its folder; any other broker is not measured.
    """
    url = str(current_app.conf.broker_url)
    if urlsplit(url).scheme == "filesystem":
        return _filesystem_depth()
    if not _is_redis(url):
        return QueueDepth({}, error=NOT_REDIS)
    wait = float(settings.PIPELINE_BROKER_TIMEOUT_SECONDS if timeout is None else timeout)
    client = redis.Redis.from_url(
        url,
        socket_connect_timeout=wait,
        socket_timeout=wait,
        retry=Retry(NoBackoff(), 0),
    )
    names = queue_names()
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(name)
                for step in _PRIORITY_STEPS:
                    pipe.llen(f"{name}{_PRIORITY_SEPARATOR}{step}")
            lengths = pipe.execute()
    except redis.RedisError as error:
        logger.warning("Pipeline health: the broker did not answer LLEN: %s", error)
        return QueueDepth({}, error=UNREACHABLE)
    finally:
        client.close()
    per_queue = 1 + len(_PRIORITY_STEPS)
    return QueueDepth(
        {
            name: int(sum(lengths[i * per_queue : (i + 1) * per_queue]))
            for i, name in enumerate(names)
        }
    )


@dataclass(frozen=True)
class WorkersAnswering:
    """The workers that answered a ping, or why nobody could be asked."""

    names: tuple[str, ...]
    error: str = ""

    @property
    def count(self) -> int | None:
        return None if self.error else len(self.names)


def _ping(timeout: float) -> WorkersAnswering:
    """Broadcast a ping and collect the replies for `timeout` seconds (on the probe thread)."""
    options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    try:
        with current_app.connection_for_write(transport_options=options) as connection:
            connection.ensure_connection(max_retries=0, timeout=timeout)
            replies = current_app.control.ping(timeout=timeout, connection=connection)
    except Exception as error:
        logger.warning("Pipeline health: could not ping the workers: %s", error)
        return WorkersAnswering((), error=UNREACHABLE)
    return WorkersAnswering(tuple(sorted(name for reply in replies for name in reply)))


class _WorkerProbe:
    """One ping at a time per process, its answer kept for `PIPELINE_PING_CACHE_SECONDS`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="pipeline-ping"
        )
        self._running: concurrent.futures.Future[WorkersAnswering] | None = None
        self._answer: WorkersAnswering | None = None
        self._answered_at = 0.0

    def ask(self) -> WorkersAnswering:
        timeout = float(settings.PIPELINE_BROKER_TIMEOUT_SECONDS)
        keep = float(settings.PIPELINE_PING_CACHE_SECONDS)
        with self._lock:
            if self._answer is not None and time.monotonic() - self._answered_at < keep:
                return self._answer
            if self._running is None or self._running.done():
                self._running = self._executor.submit(_ping, timeout)
            running = self._running
        try:
            # The ping waits `timeout` for replies; connecting may take as long again.
            answer = running.result(timeout=2 * timeout + 0.5)
        except concurrent.futures.TimeoutError:
            return WorkersAnswering((), error=NO_ANSWER)
        with self._lock:
            self._answer, self._answered_at = answer, time.monotonic()
        return answer

    def forget(self) -> None:
        """Drop the kept answer (tests, and a page asked to check again)."""
        with self._lock:
            self._answer = None


_probe = _WorkerProbe()


def workers_answering() -> WorkersAnswering:
    """Return the workers that answer a ping (kept briefly; see the module docstring)."""
    return _probe.ask()


def forget_workers() -> None:
    """Forget the kept answer, so that the next call pings again."""
    _probe.forget()
