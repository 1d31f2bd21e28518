"""Count the rows of every table: a retry that "writes nothing" leaves every count as it was."""

import re
from typing import Any

from django.apps import apps

from protection.models import AccessLog

# A retry shows the record again: that read is logged, like any read of it.
UNCOUNTED = {AccessLog}
_TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def row_counts() -> dict[str, int]:
    """Return the number of rows of every model's table but the read log."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model not in UNCOUNTED
    }


def changed_counts(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Return the tables whose count moved since `before`, with the counts before and after."""
    after = row_counts()
    return {
        label: (before[label], count) for label, count in after.items() if before[label] != count
    }


def submission_tokens(response: Any) -> list[str]:
    """Return the one-time tokens of the forms on a page, in page order."""
    return _TOKEN.findall(response.content.decode())
