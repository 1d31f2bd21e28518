"""Pages of safe zones and corridors: lists, details, drawing, and deciding a corridor's status."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from incidents.models import CorridorStatus
from incidents.zones import selectors, services
from incidents.zones.forms import (
    CorridorForm,
    CorridorStatusForm,
    CorridorSubscriptionForm,
    SafeZoneForm,
)
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import PageForm, done, run_service


def _manager_form(request: AuthenticatedHttpRequest, form_class: type[PageForm]) -> PageForm | None:
    """Return the drawing form for those who manage safe passage (bound on POST), else None."""
    if not access.can(request.user, Action.MANAGE_SAFE_PASSAGE):
        return None
    sites = access.sites_for(request.user).order_by("name")
    if request.method == "POST":
        return form_class(request.POST, request.FILES, sites=sites)
    return form_class(sites=sites)


@login_required
@require_http_methods(["GET", "POST"])
def safe_zone_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The safe zones of the agency's sites; supervisors draw or upload a new one here."""
    zones = list(selectors.safe_zone_list(user=request.user))
    form = _manager_form(request, SafeZoneForm)
    if request.method == "POST":
        access.require(request.user, Action.MANAGE_SAFE_PASSAGE)
        assert isinstance(form, SafeZoneForm)
        if form.is_valid():
            data = form.cleaned_data
            made: list[int] = []
            if run_service(
                form,
                lambda: made.append(
                    services.safe_zone_create(
                        actor=request.user,
                        site=data["site"],
                        name=data["name"],
                        boundary=data["boundary"],
                    ).pk
                ),
            ):
                url = reverse("incidents:safe_zone_detail", args=[made[0]])
                return done(request, _("The safe zone is drawn."), url)
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "incidents/zones/safe_zone_list.html",
        {"rows": zones, "form": form},
        status=status,
    )


@login_required
@require_GET
def safe_zone_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One safe zone: its site, its boundary, and how many incidents happened inside."""
    zone = selectors.safe_zone_get(user=request.user, pk=pk)
    return render(
        request,
        "incidents/zones/safe_zone_detail.html",
        {"zone": zone, "incident_count": zone.incidents.count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def corridor_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The corridors leaving the agency's sites, with their status; supervisors trace new ones."""
    status_filter = request.GET.get("status", "")
    if status_filter not in CorridorStatus.values:
        status_filter = ""
    corridors = list(selectors.corridor_list(user=request.user, status=status_filter))
    form = _manager_form(request, CorridorForm)
    if request.method == "POST":
        access.require(request.user, Action.MANAGE_SAFE_PASSAGE)
        assert isinstance(form, CorridorForm)
        if form.is_valid():
            data = form.cleaned_data
            made: list[int] = []
            corridor_data = services.CorridorData(
                name=data["name"],
                site=data["site"],
                route=data["route"],
                destination_site=data["destination_site"],
                destination_name=data["destination_name"],
            )
            if run_service(
                form,
                lambda: made.append(
                    services.corridor_create(
                        actor=request.user,
                        data=corridor_data,
                        status=data["status"],
                        reason=data["reason"],
                    ).pk
                ),
            ):
                url = reverse("incidents:corridor_detail", args=[made[0]])
                return done(request, _("The corridor is traced."), url)
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "incidents/zones/corridor_list.html",
        {
            "rows": corridors,
            "form": form,
            "status_filter": status_filter,
            "statuses": CorridorStatus.choices,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def corridor_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A corridor and its history; decide its status, or have the agency told of changes."""
    corridor = selectors.corridor_get(user=request.user, pk=pk)
    may_decide = access.can(request.user, Action.MANAGE_SAFE_PASSAGE)
    may_subscribe = access.can(request.user, Action.RECEIVE_ALERTS)
    decision = request.POST.get("decision") if request.method == "POST" else None
    posted = request.POST if decision else None
    subscription = selectors.corridor_subscription_of(user=request.user, corridor=corridor)
    status_form = CorridorStatusForm(posted if decision == "status" else None, prefix="status")
    subscribe_form = CorridorSubscriptionForm(
        posted if decision == "subscribe" else None,
        prefix="subscribe",
        initial={"notify_in_app": True, "notify_email": True}
        if subscription is None
        else {
            "notify_in_app": subscription.notify_in_app,
            "notify_email": subscription.notify_email,
        },
    )
    back = reverse("incidents:corridor_detail", args=[corridor.pk])
    if decision == "status":
        access.require(request.user, Action.MANAGE_SAFE_PASSAGE)
        if status_form.is_valid():
            data = status_form.cleaned_data
            if run_service(
                status_form,
                lambda: services.corridor_status_change(
                    actor=request.user,
                    corridor=corridor,
                    status=data["status"],
                    reason=data["reason"],
                ),
            ):
                return done(request, _("The corridor's status is changed."), back)
    elif decision == "subscribe":
        access.require(request.user, Action.RECEIVE_ALERTS)
        if subscribe_form.is_valid():
            data = subscribe_form.cleaned_data
            if run_service(
                subscribe_form,
                lambda: services.corridor_subscribe(
                    actor=request.user,
                    corridor=corridor,
                    in_app=data["notify_in_app"],
                    email=data["notify_email"],
                ),
            ):
                return done(
                    request, _("Your agency will be told of this corridor's changes."), back
                )
    elif decision == "unsubscribe":
        access.require(request.user, Action.RECEIVE_ALERTS)
        services.corridor_unsubscribe(actor=request.user, corridor=corridor)
        return done(request, _("Your agency will no longer be told of this corridor."), back)
    status = 400 if (status_form.errors or subscribe_form.errors) else 200
    return render(
        request,
        "incidents/zones/corridor_detail.html",
        {
            "corridor": corridor,
            "history": list(corridor.history.all()),
            "status_form": status_form if may_decide else None,
            "subscribe_form": subscribe_form if may_subscribe else None,
            "subscription": subscription,
        },
        status=status,
    )
