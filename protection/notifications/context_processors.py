"""Template context for the navigation bar: how many unread notifications the user has."""

from typing import Any

from django.http import HttpRequest

from protection.notifications.selectors import notification_unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """Give the layout the unread count (one indexed count, only for signed-in users)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    return {"inbox_unread": notification_unread_count(user=user)}
