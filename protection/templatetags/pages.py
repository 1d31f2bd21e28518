"""Small template filters the pages share: a person's age, a wait in minutes."""

import datetime
from typing import Any

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(born: datetime.date | None) -> int | str:
    """Return the age in whole years today of someone born on `born` ('' when unknown)."""
    if not isinstance(born, datetime.date):
        return ""
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@register.filter
def minutes(duration: Any) -> int | str:
    """Return a timedelta in whole minutes, rounded up ('' for anything else)."""
    if not isinstance(duration, datetime.timedelta):
        return ""
    return max(1, -(-int(duration.total_seconds()) // 60))
