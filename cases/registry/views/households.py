"""Pages about households: the list, a household's members, and its move to another site."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from camps.models import SiteStatus
from cases.registry import selectors, services
from cases.registry.forms import HouseholdRelocateForm, HouseholdSearchForm
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.audit import audit_events_for
from protection.pages import add_service_errors, keyset_pager, site_options
from protection.reads import list_purpose

ACTION_LABELS = {
    "household.register": _("Registered"),
    "household.relocate": _("Moved to another site"),
}


@login_required
@require_GET
def household_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the households the user may see, 50 at a time, by site or code."""
    access.require(request.user, Action.VIEW_PEOPLE)
    form = HouseholdSearchForm(request.GET, sites=site_options(request.user))
    page = None
    if form.is_valid():
        filters = form.filters()
        page = selectors.household_page(
            user=request.user,
            households=selectors.household_list(user=request.user, filters=filters),
            paginate=keyset_pager(request),
            purpose=list_purpose(filters),
        )
    return render(request, "cases/household_list.html", {"form": form, "page": page})


@login_required
@require_GET
def household_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show a household: site, shelter, code, members and what happened to it (logged)."""
    access.require(request.user, Action.VIEW_PEOPLE)
    household = selectors.household_get(user=request.user, pk=pk)
    members = list(household.members.all())
    history = [
        {"event": event, "action": ACTION_LABELS.get(event.action, event.action)}
        for event in audit_events_for(household)
    ]
    return render(
        request,
        "cases/household_detail.html",
        {
            "household": household,
            "members": members,
            "history": history,
            "may_add_member": access.can(request.user, Action.REGISTER_PEOPLE)
            and household.site.status == SiteStatus.OPEN,
            "may_relocate": access.can(request.user, Action.EDIT_PEOPLE),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_relocate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move a household and all its members to another open site of the agency."""
    access.require(request.user, Action.EDIT_PEOPLE)
    household = selectors.household_get(user=request.user, pk=pk)
    sites = (
        access.sites_for(request.user)
        .filter(status=SiteStatus.OPEN)
        .exclude(pk=household.site_id)
        .order_by("name")
    )
    form = HouseholdRelocateForm(request.POST if request.method == "POST" else None, sites=sites)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_relocate(
                actor=request.user,
                household=household,
                site=form.cleaned_data["site"],
                address=form.cleaned_data["address"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                gettext("The household moved to %(site)s.") % {"site": household.site},
            )
            return redirect(household)
    return render(request, "cases/household_relocate.html", {"household": household, "form": form})
