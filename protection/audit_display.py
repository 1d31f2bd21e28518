"""Show an audit event's changes to an administrator: field names, and safe values only.

The trail stores safe values as they were and a keyed hash for everything else (see
protection.audit_values); the admin shows that a hashed field changed, never the hash, so
nothing a person wrote or is called appears on the audit pages.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from protection.audit_values import MASK, is_value_hash


def _words(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value == MASK or is_value_hash(value):
        return _("(value withheld)")
    if isinstance(value, list):
        return ", ".join(_words(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_words(item)}" for key, item in sorted(value.items()))
    return str(value)


def change_words(change: Any) -> str:
    """Return one field's change as 'before → after', withholding what is not kept."""
    if isinstance(change, list) and len(change) == 2:
        before, after = change
        if before in (None, "", []):
            return _words(after)
        return f"{_words(before)} → {_words(after)}"
    return _words(change)


def changes_html(changes: Mapping[str, Any] | None) -> SafeString:
    """Return the changes as an HTML list: one item per changed field."""
    if not changes:
        return format_html("{}", "—")
    items = format_html_join(
        "",
        "<li><code>{}</code>: {}</li>",
        ((name, change_words(change)) for name, change in sorted(changes.items())),
    )
    return format_html("<ul>{}</ul>", items)
