"""The referral directory: every agency's services, and a service of the user's own agency."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from partners import selectors, services
from partners.forms import ServiceForm, ServiceSearchForm
from partners.models import Sector, Service
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import PAGE_SIZE, done, run_service, site_options, submitted_once
from protection.pagination import keyset_page


@login_required
@require_GET
def service_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the services every agency offers, 50 at a time, filtered by sector and site."""
    access.require(request.user, Action.VIEW_SERVICES)
    sectors = list(Sector.objects.filter(active=True).order_by("sort_order", "code"))
    form = ServiceSearchForm(request.GET, sectors=sectors, sites=site_options(request.user))
    page = None
    if form.is_valid():
        found = selectors.service_list(user=request.user, filters=form.filters())
        page = keyset_page(found, after=request.GET.get("after"), size=PAGE_SIZE)
    return render(
        request,
        "partners/service_list.html",
        {
            "form": form,
            "page": page,
            "may_manage": access.can(request.user, Action.MANAGE_SERVICES),
            "own_agency_id": getattr(request.user, "agency_id", None),
        },
    )


def _form(request: HttpRequest, service: Service | None) -> ServiceForm:
    """Return the service form offering the agency's sites and the ones the service lists."""
    own_sites = access.sites_for(request.user)
    sites = Q(pk__in=own_sites.values("pk"))
    if service is not None:
        sites |= Q(pk__in=service.sites.values("pk"))
    return ServiceForm(
        request.POST if request.method == "POST" else None,
        initial=ServiceForm.initial_for(service) if service is not None else None,
        sectors=Sector.objects.filter(active=True).order_by("sort_order", "code"),
        sites=own_sites.model.objects.filter(sites).order_by("name"),
        editing=service is not None,
    )


def _page(request: HttpRequest, form: ServiceForm, service: Service | None) -> HttpResponse:
    return render(request, "partners/service_form.html", {"form": form, "service": service})


@login_required
@require_http_methods(["GET", "POST"])
def service_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List a new service of the user's agency in the directory."""
    access.require(request.user, Action.MANAGE_SERVICES)
    form = _form(request, None)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            data: dict[str, Any] = form.cleaned_data
            if run_service(
                form,
                lambda: services.service_create(
                    actor=request.user,
                    name=data["name"],
                    sector=data["sector"],
                    sites=list(data["sites"]),
                    description=data["description"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    accepting_referrals=data["accepting_referrals"],
                ),
            ):
                return submission.done(
                    request,
                    _("%(name)s is listed in the directory.") % {"name": data["name"]},
                    reverse("partners:service_list"),
                )
    return _page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a service of the user's agency; another agency's service is theirs to change."""
    access.require(request.user, Action.MANAGE_SERVICES)
    service = selectors.service_get(user=request.user, pk=pk)
    if service.agency_id != getattr(request.user, "agency_id", None):
        raise PermissionDenied
    form = _form(request, service)
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            lambda: services.service_update(
                actor=request.user,
                service=service,
                changes=form.changes(),
                sites=list(form.cleaned_data["sites"]),
            ),
        )
    ):
        return done(
            request,
            _("The changes to %(name)s are saved.") % {"name": service.name},
            reverse("partners:service_list"),
        )
    return _page(request, form, service)
