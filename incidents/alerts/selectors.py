"""The alerts a user received: their inbox, one alert, and how many still wait."""

from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from incidents.filters import AlertFilter
from incidents.models import Alert, AlertStatus
from protection import access
from protection.notifications.models import Notification

if TYPE_CHECKING:
    from protection.accounts.models import User

WAITING = "waiting"
ACKNOWLEDGED = "acknowledged"
STATES = (WAITING, ACKNOWLEDGED)


def _with_unread(queryset: QuerySet[Alert], user: "User") -> QuerySet[Alert]:
    """Annotate `unread`: the user has an in-app notice of the alert not opened yet."""
    notices = Notification.objects.filter(
        recipient_id=user.pk,
        source_type="incidents.alert",
        source_id=Cast(OuterRef("pk"), CharField()),
        read_at__isnull=True,
    )
    return queryset.annotate(unread=Exists(notices))


def alert_list(*, user: "User", filters: dict[str, Any] | None = None) -> QuerySet[Alert]:
    """Return the alerts the user received, open ones first, newest first."""
    queryset = (
        access.alerts_for(user)
        .select_related("incident__incident_type", "site", "policy", "acknowledged_by")
        .order_by("-id")
    )
    if filters:
        filterset = AlertFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def alert_inbox(*, user: "User", state: str = WAITING) -> QuerySet[Alert]:
    """Return the user's alerts in one state, each marked `unread` or not.

    Waiting alerts (open, or exhausted with nobody acknowledging) come soonest deadline first,
    those past every tier last; acknowledged ones most recently acknowledged first.
    """
    queryset = _with_unread(
        access.alerts_for(user).select_related(
            "incident__incident_type", "site", "policy", "acknowledged_by"
        ),
        user,
    )
    if state == ACKNOWLEDGED:
        return queryset.filter(status=AlertStatus.ACKNOWLEDGED).order_by("-acknowledged_at", "-id")
    return queryset.exclude(status=AlertStatus.ACKNOWLEDGED).order_by(
        F("deadline_at").asc(nulls_last=True), "-raised_at", "-id"
    )


def alert_state_counts(*, user: "User") -> dict[str, int]:
    """Return how many of the user's alerts wait and how many are acknowledged (one query)."""
    acknowledged = Q(status=AlertStatus.ACKNOWLEDGED)
    counts = access.alerts_for(user).aggregate(
        waiting=Count("pk", filter=~acknowledged), acknowledged=Count("pk", filter=acknowledged)
    )
    return {WAITING: counts["waiting"], ACKNOWLEDGED: counts["acknowledged"]}


def alert_get(*, user: "User", pk: int) -> Alert:
    """Return one alert the user received, or 404."""
    return get_object_or_404(
        access.alerts_for(user).select_related(
            "incident__incident_type", "site", "policy", "acknowledged_by"
        ),
        pk=pk,
    )


def alerts_open_count(*, user: "User") -> int:
    """Return how many alerts the user received still wait for acknowledgement."""
    return access.alerts_for(user).exclude(status=AlertStatus.ACKNOWLEDGED).count()
