"""The production cache: Django's Redis cache that lets the request through when Redis fails.

Nothing the cache holds is a record: API throttle histories and the admin's remembered actions.
So when its Redis is down or frozen, a read answers "not cached" and a write is dropped, after a
log line and a count (protection.degradation); throttling lets the request through (fails open).
Short socket timeouts (OPTIONS socket_timeout, socket_connect_timeout) bound the wait on a frozen
server, and after a failure the cache is not asked for `pause_after_failure` seconds by any
process of the host, so that a frozen server costs one request its timeout instead of every
request two of them.

Chosen over django-redis (IGNORE_EXCEPTIONS): that would be a dependency for one behaviour, and
it still waits for the timeout on every call of every request while Redis is frozen, and gives no
place to count the failures. `incr` and `decr` still raise: there is no honest number to return.
"""

import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from protection.degradation import degraded, pause_for

logger = logging.getLogger(__name__)

Result = TypeVar("Result")


class FailOpenRedisCache(RedisCache):
    """A Redis cache whose failures are logged and counted, never raised."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        seconds = float(options.pop("pause_after_failure", 10))
        super().__init__(server, {**params, "OPTIONS": options})
        # One pause per Redis location, shared by the per-thread cache objects Django makes.
        location = server if isinstance(server, str) else ",".join(server)
        self._pause = pause_for(f"cache {location}", seconds=seconds)

    def _fail_open(self, operation: str, call: Callable[[], Result], fallback: Result) -> Result:
        if self._pause.skip():
            degraded("cache.skipped")
            return fallback
        try:
            result = call()
        except redis.RedisError as error:
            self._pause.start()
            degraded("cache.error")
            logger.warning(
                "Cache unavailable (%s: %s); carrying on without it for %g s.",
                operation,
                error,
                self._pause.seconds,
            )
            return fallback
        self._pause.succeeded()
        return result

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._fail_open("add", partial(super().add, key, value, timeout, version), False)

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._fail_open("get", partial(super().get, key, default, version), default)

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        self._fail_open("set", partial(super().set, key, value, timeout, version), None)

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._fail_open("touch", partial(super().touch, key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._fail_open("delete", partial(super().delete, key, version), False)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._fail_open("get_many", partial(super().get_many, list(keys), version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._fail_open("has_key", partial(super().has_key, key, version), False)

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        # The keys that were not stored: all of them, when Redis is away.
        return self._fail_open(
            "set_many", partial(super().set_many, data, timeout, version), list(data)
        )

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._fail_open("delete_many", partial(super().delete_many, list(keys), version), None)

    def clear(self) -> None:
        self._fail_open("clear", super().clear, None)
