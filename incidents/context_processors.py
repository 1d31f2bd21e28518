"""Template context for the navigation bar: the user's unread notices and waiting alerts.

Both counts come from one query, on every page: the inbox's unread notifications, and for a
user who receives alerts, the alerts waiting for acknowledgement (what the "Waiting" tab of
the alerts page lists).
"""

from typing import Any

from django.db.models import F, Func, IntegerField, QuerySet, Subquery, Value
from django.http import HttpRequest

from incidents.models import AlertStatus
from protection import access
from protection.access import Action
from protection.accounts.models import User


def _count(queryset: QuerySet[Any]) -> Subquery:
    """Return a scalar subquery counting the rows of `queryset`."""
    counted = queryset.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total")
    return Subquery(counted, output_field=IntegerField())


def navigation_counts(request: HttpRequest) -> dict[str, Any]:
    """Give the layout `inbox_unread` and `alerts_waiting` (one query, signed-in users only)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0, "alerts_waiting": 0}
    unread = access.notifications_for(user).filter(read_at__isnull=True)
    waiting = (
        _count(access.alerts_for(user).exclude(status=AlertStatus.ACKNOWLEDGED))
        if access.can(user, Action.RECEIVE_ALERTS)
        else Value(0)
    )
    counts = (
        User.objects.filter(pk=user.pk)
        .annotate(inbox_unread=_count(unread), alerts_waiting=waiting)
        .values("inbox_unread", "alerts_waiting")
        .first()
    )
    return counts or {"inbox_unread": 0, "alerts_waiting": 0}
