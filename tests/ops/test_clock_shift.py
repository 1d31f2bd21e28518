"""`make test-future` moves the clock of every process of a test run, not only pytest's.

The Celery workers the integration tests start load the test settings in a fresh interpreter;
each case here does the same and reads the day that process believes it is.
"""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from tests.ops.test_settings import run_python

TODAY_IN_A_FRESH_PROCESS = (
    "import django; django.setup(); "
    "from django.utils import timezone; print(timezone.localdate().isoformat())"
)


def _real_today() -> datetime.date:
    """Return today as the calendar has it, whatever this run's own clock says."""
    return timezone.localdate() - datetime.timedelta(days=settings.CLOCK_SHIFT_DAYS)


@pytest.mark.parametrize("days", [365, -365, 0])
def test_the_test_settings_move_a_fresh_process_by_the_days_given(days: int) -> None:
    result = run_python(
        TODAY_IN_A_FRESH_PROCESS,
        {
            "DJANGO_SETTINGS_MODULE": "protection.settings.test",
            "PROTECTION_TEST_CLOCK_SHIFT_DAYS": str(days),
        },
    )

    assert result.returncode == 0, result.stderr
    expected = _real_today() + datetime.timedelta(days=days)
    assert result.stdout.strip() == expected.isoformat()
