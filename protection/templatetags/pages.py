"""Small template filters the pages share: a person's age, a wait in minutes; and the one-time
token of a create form."""

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from protection.pages import SUBMISSION_TOKEN, new_submission_token

register = template.Library()


@register.simple_tag
def submission_token() -> SafeString:
    """Return the hidden one-time token that makes a create form save once (pages.py)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', SUBMISSION_TOKEN, new_submission_token()
    )


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


@register.filter
def filters_set(form: Any, search: Any = False) -> bool:
    """Return whether the bound form has a value set (after the first field, for a search).

    A list's folded filters open when one of them is set (or wrong), not for the words searched.
    """
    if not getattr(form, "is_bound", False):
        return False
    if form.errors:
        return True
    names = list(form.fields)[1 if search else 0 :]
    return any(form.data.get(name) not in (None, "") for name in names)
