"""Template context for the navigation bar: the user's unread notices and waiting alerts.

Both counts come from one query, on every page: the inbox's unread notifications, and for a
user who receives alerts, the alerts waiting for acknowledgement (what the "Waiting" tab of
the alerts page lists). Each count stops at NAV_COUNT_CAP rows, so that a duty officer told
of 100,000 alerts pays for a hundred on every page; the bar then shows "99+".
"""

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery, Value
from django.http import HttpRequest

from incidents.models import AlertStatus
from protection import access
from protection.access import Action
from protection.accounts.models import User

NAV_COUNT_CAP = 100


class _CappedCount(Subquery):
    """A scalar subquery counting the rows of a queryset, up to the cap its slice gives."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def _count(queryset: QuerySet[Any]) -> _CappedCount:
    return _CappedCount(queryset.order_by().values("pk")[:NAV_COUNT_CAP])


def navigation_counts(request: HttpRequest) -> dict[str, Any]:
    """Give the layout `inbox_unread` and `alerts_waiting` (one query, signed-in users only),
    each at most `nav_count_cap`, and `nav_count_most`, what the bar shows with a "+"."""
    user = getattr(request, "user", None)
    capped = {"nav_count_cap": NAV_COUNT_CAP, "nav_count_most": NAV_COUNT_CAP - 1}
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0, "alerts_waiting": 0} | capped
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
    return (counts or {"inbox_unread": 0, "alerts_waiting": 0}) | capped
