"""The production cache lets requests through when its Redis is down or frozen, and says so.

Each test starts a redis-server of its own (tests/redis_server.py) and points a
FailOpenRedisCache at it with the production OPTIONS, then kills or freezes it.
"""

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches

from protection.cache import FailOpenRedisCache
from protection.degradation import degraded_counts
from tests.redis_server import RedisServer, redis_server


@pytest.fixture
def server() -> Iterator[RedisServer]:
    with redis_server() as running:
        yield running


def production_cache(server: RedisServer, *, pause: float = 10) -> FailOpenRedisCache:
    """Return the cache production configures from CACHE_URL, on the test's own server."""
    return FailOpenRedisCache(
        server.url(1),
        {
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.25,
                "pause_after_failure": pause,
            }
        },
    )


def test_a_healthy_cache_stores_and_counts_nothing(server: RedisServer) -> None:
    cache = production_cache(server)

    cache.set("throttle_user_1", [1.0, 2.0], 60)
    cache.set_many({"a": 1, "b": 2}, 60)

    assert cache.get("throttle_user_1") == [1.0, 2.0]
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.add("a", 3) is False
    assert cache.has_key("b")
    assert degraded_counts() == {}


def test_a_dead_cache_answers_not_cached_logs_and_counts(
    server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    cache = production_cache(server)
    cache.set("kept", "value", 60)
    server.kill()

    with caplog.at_level(logging.WARNING, logger="protection.cache"):
        assert cache.get("kept", "default") == "default"
        cache.set("kept", "other", 60)
        assert cache.set_many({"a": 1}) == ["a"]
        assert cache.add("new", 1) is False
        assert cache.get_many(["kept"]) == {}
        cache.delete("kept")
        cache.clear()

    assert degraded_counts() == {"cache.error": 1, "cache.skipped": 6}
    (line,) = caplog.messages
    assert line.startswith("Cache unavailable (get: ")
    assert line.endswith("carrying on without it for 10 s.")


def test_a_frozen_cache_costs_one_call_its_timeout_then_none_until_the_pause_ends(
    server: RedisServer,
) -> None:
    cache = production_cache(server, pause=1)
    cache.set("history", [1.0], 60)
    server.freeze()
    try:
        started = time.monotonic()
        assert cache.get("history") is None
        first = time.monotonic() - started
        started = time.monotonic()
        for _ in range(20):
            assert cache.get("history") is None
            cache.set("history", [2.0], 60)
        paused = time.monotonic() - started
    finally:
        server.thaw()

    assert 0.2 < first < 1
    assert paused < 0.05
    time.sleep(1.1)
    # The pause is over and the server answers again: the cache is the cache once more.
    assert cache.get("history") == [1.0]
    assert degraded_counts() == {"cache.error": 1, "cache.skipped": 40}


def test_cache_url_configures_the_fail_open_cache_with_short_timeouts(
    server: RedisServer,
) -> None:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "from django.core.cache import caches; "
        "print(json.dumps([settings.CACHES['default'], type(caches['default']).__name__]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection.settings.test",
        "CACHE_URL": server.url(1),
    }
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    configured, backend = json.loads(result.stdout.splitlines()[-1])

    assert backend == "FailOpenRedisCache"
    assert configured["LOCATION"] == server.url(1)
    assert configured["OPTIONS"]["socket_timeout"] <= 1
    assert configured["OPTIONS"]["socket_connect_timeout"] <= 1


def test_the_default_cache_fails_open_when_settings_point_at_a_dead_server(
    server: RedisServer, settings: Any
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "protection.cache.FailOpenRedisCache",
            "LOCATION": server.url(1),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    server.kill()

    assert caches["default"].get("anything", 7) == 7
    assert degraded_counts() == {"cache.error": 1}
