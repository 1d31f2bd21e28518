"""The home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Send each role to where its work starts: casework roles to their dashboard.

    Someone who works in no agency's sites (the platform's superuser, a staff account without a
    role there) starts in the admin, which is their work, rather than at a page they may not see.
    """
    if request.user.is_staff and not access.can(request.user, Action.VIEW_SITES):
        return redirect("admin:index")
    if access.can(request.user, Action.VIEW_CASES):
        return redirect("monitoring:home")
    if access.can(request.user, Action.VIEW_MISSION):
        return redirect("monitoring:mission")
    if access.can(request.user, Action.VIEW_PEOPLE):
        return redirect("cases:person_list")
    return redirect("camps:list")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database answers; used by docker-compose and load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
