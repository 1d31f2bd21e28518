"""The triage queue of the community reporting line, for the agencies working at each site."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from incidents.community import selectors, services
from incidents.community.forms import CloseForm, ToIncidentForm
from incidents.models import ReportState
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import done, keyset_pager, run_service

_STATES = {"": ReportState.RECEIVED, "all": "", **{s: s for s in ReportState.values}}


@login_required
@require_GET
def triage_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The reports of the agency's sites: waiting for triage first, or any state."""
    state = _STATES.get(request.GET.get("state", ""), ReportState.RECEIVED)
    page = keyset_pager(request)(selectors.triage_queue(user=request.user, state=state))
    return render(
        request,
        "incidents/community/triage_list.html",
        {"page": page, "state": request.GET.get("state", ""), "states": ReportState.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def triage_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Read a report, then make it an incident or close it with a reason."""
    report = selectors.triage_report_get(user=request.user, pk=pk)
    posted = request.POST if request.method == "POST" else None
    decision = request.POST.get("decision") if posted else None
    to_incident = ToIncidentForm(posted if decision == "incident" else None, prefix="incident")
    close = CloseForm(posted if decision == "close" else None, prefix="close")
    back = reverse("incidents:community_detail", args=[report.pk])
    if decision == "incident" and to_incident.is_valid():
        data = to_incident.cleaned_data
        choice = services.IncidentChoice(
            incident_type=data["incident_type"],
            severity=data["severity"],
            perpetrator_category=data["perpetrator_category"],
        )
        if run_service(
            to_incident,
            lambda: services.community_report_to_incident(
                actor=request.user, report=report, choice=choice
            ),
        ):
            return done(request, _("The report is now an incident."), back)
    if decision == "close" and close.is_valid():
        reason = close.cleaned_data["reason"]
        if run_service(
            close,
            lambda: services.community_report_close(
                actor=request.user, report=report, reason=reason
            ),
        ):
            return done(request, _("The report is closed."), back)
    status = 400 if (to_incident.errors or close.errors) else 200
    return render(
        request,
        "incidents/community/triage_detail.html",
        {
            "report": report,
            "to_incident": to_incident,
            "close": close,
            "open": report.state == ReportState.RECEIVED,
        },
        status=status,
    )
