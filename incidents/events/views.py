"""Pages of linked reports: the "Probably the same event" panel, the event, and its actions.

The panel (on the incident's page and on the event page) lists the suggestions the selector
computed among the incidents the user may see, each with why, and a button to link it; the
event page lists the reports of the event the user may see, the primary record marked, with
the buttons to make one primary or take it out. Every write is a service; an incident the user
may not see answers 404, a role that may not manage incidents 403.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from incidents.events import selectors, services
from incidents.events.forms import LinkForm
from incidents.models import Incident
from incidents.reporting import selectors as incident_selectors
from protection import access
from protection.access import Action
from protection.accounts.models import User
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import done, flat_messages, run_service


def same_event_panel(
    user: User, incident: Incident, form: LinkForm | None = None
) -> dict[str, Any]:
    """Return what the panel shows: the suggestions, the event's reports, what the user may do."""
    may_link = access.can(user, Action.MANAGE_INCIDENTS) and (
        not incident.incident_type.restricted or access.incident_detail_allowed(user, incident)
    )
    reports = selectors.event_reports(user=user, incident=incident)
    return {
        "suggestions": selectors.same_event_suggestions(user=user, incident=incident),
        "event_reports": reports,
        # Another agency's report may be the primary record: the event still counts once.
        "primary_hidden": bool(reports)
        and not any(r.event is not None and r.event.primary_id == r.pk for r in reports),
        "may_link": may_link,
        "link_form": form,
    }


@login_required
@require_GET
def event_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The reports of the incident's event, and the reports probably of the same event."""
    access.require(request.user, Action.VIEW_INCIDENTS)
    incident = incident_selectors.incident_get(user=request.user, pk=pk)
    return _event_page(request, incident)


def _event_page(
    request: AuthenticatedHttpRequest,
    incident: Incident,
    form: LinkForm | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    """Render the event page; with a refused form or action, its errors and a 400."""
    refused = bool(errors) or (form is not None and bool(form.errors))
    return render(
        request,
        "incidents/events/event_detail.html",
        {
            "incident": incident,
            "errors": errors or [],
            **same_event_panel(request.user, incident, form),
        },
        status=400 if refused else 200,
    )


@login_required
@require_POST
def incident_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Link the chosen report to this incident as the same event."""
    access.require(request.user, Action.MANAGE_INCIDENTS)
    incident = incident_selectors.incident_get(user=request.user, pk=pk)
    form = LinkForm(request.POST, user=request.user)
    if form.is_valid():
        other = form.cleaned_data["other"]
        if run_service(
            form,
            lambda: services.incident_link(actor=request.user, incident=incident, other=other),
        ):
            return done(request, _("The reports are linked as one event."), _url(incident))
    return _event_page(request, incident, form)


@login_required
@require_POST
def incident_unlink(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Take this report out of its event."""
    access.require(request.user, Action.MANAGE_INCIDENTS)
    incident = incident_selectors.incident_get(user=request.user, pk=pk)
    return _act(request, incident, services.incident_unlink, _("The report is no longer linked."))


@login_required
@require_POST
def incident_primary(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Make this report the primary record of its event."""
    access.require(request.user, Action.MANAGE_INCIDENTS)
    incident = incident_selectors.incident_get(user=request.user, pk=pk)
    return _act(
        request,
        incident,
        services.incident_event_set_primary,
        _("This report is now the primary record of the event."),
    )


def _act(
    request: AuthenticatedHttpRequest, incident: Incident, service: Any, said: str
) -> HttpResponse:
    try:
        service(actor=request.user, incident=incident)
    except ValidationError as error:
        return _event_page(request, incident, errors=flat_messages(error))
    return done(request, said, _url(incident))


def _url(incident: Incident) -> str:
    return reverse("incidents:event", args=[incident.pk])
