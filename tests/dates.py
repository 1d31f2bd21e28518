"""Dates relative to the day the tests run, so that no test depends on the calendar."""

import datetime

from django.utils import timezone


def days_ago(days: int) -> datetime.date:
    """Return the local date `days` days before today (negative: after today)."""
    return timezone.localdate() - datetime.timedelta(days=days)
