"""Template context every page needs: what the navigation may show this user."""

from typing import Any

from django.http import HttpRequest

from protection import access
from protection.access import Action


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Tell the layout which sections the signed-in user may open."""
    user = getattr(request, "user", None)
    return {
        "nav": {
            "dashboard": access.can(user, Action.VIEW_CASES),
            "mission": access.can(user, Action.VIEW_MISSION),
            "sites": access.can(user, Action.VIEW_SITES),
            "people": access.can(user, Action.VIEW_PEOPLE),
            "register": access.can(user, Action.REGISTER_PEOPLE),
            "cases": access.can(user, Action.VIEW_CASES),
            "manage_cases": access.can(user, Action.MANAGE_CASES),
            "referrals": access.can(user, Action.RESPOND_REFERRALS),
            "approvals": access.can(user, Action.SUPERVISE_CASES),
            "incidents": access.can(user, Action.VIEW_INCIDENTS),
            "report_incident": access.can(user, Action.REPORT_INCIDENTS),
            "alerts": access.can(user, Action.RECEIVE_ALERTS),
        }
    }
