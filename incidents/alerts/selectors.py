"""The alerts a user received: their inbox, one alert, and how many still wait."""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from incidents.filters import AlertFilter
from incidents.models import Alert, AlertStatus
from protection import access

if TYPE_CHECKING:
    from protection.accounts.models import User


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
