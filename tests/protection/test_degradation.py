"""A pause after a failure holds for every process of the host; the counters count."""

import os
import subprocess
import sys
import time

from protection.degradation import Pause, degraded, degraded_counts, pause_for, reset


def _skipped_by_another_process(service: str) -> bool:
    code = (
        "import django; django.setup(); from protection.degradation import pause_for; "
        f"print(pause_for({service!r}, seconds=30).skip())"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "protection.settings.test"}
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1] == "True"


def test_a_pause_started_here_holds_in_a_sibling_process_until_it_ends() -> None:
    service = "broker redis://127.0.0.1:1/0 (test)"
    pause = pause_for(service, seconds=30)
    assert not pause.skip()
    assert not _skipped_by_another_process(service)

    pause.start()

    assert pause.skip()
    assert _skipped_by_another_process(service)
    assert not _skipped_by_another_process("broker redis://127.0.0.1:2/0 (test)")
    reset()
    assert not pause.skip()
    assert not _skipped_by_another_process(service)


def _run_out(pause: Pause) -> None:
    """Make the pause over, as if its seconds had passed."""
    past = time.time() - 1
    os.utime(pause._path, (past, past))
    pause._until = past


def test_after_a_pause_one_caller_tries_while_the_others_still_skip() -> None:
    service = "cache redis://127.0.0.1:3/1 (test)"
    pause = pause_for(service, seconds=30)
    pause.start()
    _run_out(pause)

    assert not pause.skip()  # this caller tries the service...
    assert _skipped_by_another_process(service)  # ...while the others still skip it
    pause.succeeded()  # it answered: no pause any more, anywhere
    assert not pause.skip()
    assert not _skipped_by_another_process(service)


def test_a_far_future_pause_is_not_believed() -> None:
    pause = pause_for("cache redis://127.0.0.1:4/1 (test)", seconds=0.1)
    pause.start()
    time.sleep(0.2)
    # A clock jump or a stray file: a pause of a day is no pause.
    far = time.time() + 86400
    os.utime(pause._path, (far, far))
    assert not pause.skip()


def test_counters_count_per_event_and_reset() -> None:
    degraded("cache.error")
    degraded("cache.skipped")
    degraded("cache.skipped")
    assert degraded_counts() == {"cache.error": 1, "cache.skipped": 2}
    reset()
    assert degraded_counts() == {}
