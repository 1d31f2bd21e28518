"""Template context for the navigation bar: how many alerts wait for this user."""

from typing import Any

from django.http import HttpRequest

from incidents.alerts.selectors import alerts_open_count
from protection import access
from protection.access import Action


def alerts(request: HttpRequest) -> dict[str, Any]:
    """Give the layout the number of alerts waiting for the user's acknowledgement.

    One count, only for signed-in users who receive alerts: the same alerts the "Waiting"
    tab of the alerts page lists.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not access.can(user, Action.RECEIVE_ALERTS):
        return {"alerts_waiting": 0}
    return {"alerts_waiting": alerts_open_count(user=user)}
