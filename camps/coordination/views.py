"""The 3W page: who does what where in the user's sites, with the gaps shown."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from camps.coordination.forms import WhoWhatWhereForm
from camps.coordination.selectors import sectors, who_what_where
from protection import access
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import site_options


@login_required
@require_GET
def who_what_where_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the services by site and sector, filtered; another agency's site is not found."""
    access.require(request.user, access.Action.VIEW_SITES)
    sites = site_options(request.user)
    asked = request.GET.get("site", "")
    if asked.isdigit() and int(asked) not in {pk for pk, _name in sites}:
        raise Http404
    form = WhoWhatWhereForm(request.GET or None, sectors=sectors(), sites=sites)
    table = None
    if not request.GET:
        table = who_what_where(user=request.user)
    elif form.is_valid():
        data = form.cleaned_data
        table = who_what_where(
            user=request.user,
            site_id=data["site"],
            sector_code=data["sector"],
            gaps_only=data["gaps"],
        )
    return render(
        request,
        "camps/who_what_where.html",
        {"form": form, "table": table, "query": request.GET.urlencode()},
    )
