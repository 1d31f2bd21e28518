"""Incident pages: quick report, list, detail with its timeline, map; the alerts a user received.

What an incident page shows is what `incident_view_for` returns for the user: the full record
or the anonymised one. The selectors log the read: the incidents of a list page, an incident
opened and the registered victims its full record names. An incident or alert the user may not
see answers 404.
"""

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from incidents.alerts import selectors as alert_selectors
from incidents.alerts import services as alert_services
from incidents.alerts.wording import early_warning_summary
from incidents.events.views import same_event_panel
from incidents.forms import IncidentFilterForm, IncidentReportForm, IncidentUpdateForm
from incidents.maps.features import map_features
from incidents.models import Alert, AlertKind, AlertStatus, Incident
from incidents.page_rows import incident_rows
from incidents.reporting import selectors as incident_selectors
from incidents.reporting import services as incident_services
from incidents.reporting.timeline import incident_timeline
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.edit_forms import conflict_rows, form_after_conflict, pending_rows
from protection.edits import EditConflict
from protection.notifications.selectors import deliveries_of
from protection.pages import add_service_errors, submitted_once
from protection.pagination import keyset_page

PAGE_SIZE = 50
ALERT_PAGE_SIZE = 200
TIMELINE_LABELS = {
    "incident.report": _("Reported"),
    "incident.update": _("Response updated"),
    "incident.edit_conflict": _("Save refused: changed meanwhile by someone else"),
    "alert.raise": _("Alert raised"),
    "alert.escalate": _("Escalated to the next tier"),
    "alert.acknowledge": _("Acknowledged"),
    "alert.exhaust": _("No tier acknowledged; admins told"),
    "delivery.queued": _("Notification queued"),
    "delivery.sent": _("Notification delivered"),
    "delivery.dead": _("Notification failed for good"),
}


@login_required
@require_GET
def incident_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the incidents the user may see, 50 at a time, by their anonymised fields."""
    access.require(request.user, Action.VIEW_INCIDENTS)
    form = IncidentFilterForm(request.GET or None, user=request.user)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.filters() if form.is_bound else {}
        after = request.GET.get("after")
        page = incident_selectors.incident_page(
            user=request.user,
            incidents=incident_selectors.incident_list(user=request.user, filters=filters),
            paginate=lambda incidents: keyset_page(incidents, after=after, size=PAGE_SIZE),
        )
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "page": page,
            # Rows with their labels, dates and links made in one pass (incidents.page_rows).
            "rows": incident_rows(page.items) if page is not None else [],
            "may_report": access.can(request.user, Action.REPORT_INCIDENTS),
            "may_run_drills": access.can(request.user, Action.MANAGE_INCIDENTS),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Report an incident; the matching policies alert their first tier at once."""
    access.require(request.user, Action.REPORT_INCIDENTS)
    form = IncidentReportForm(request.POST or None, user=request.user)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            try:
                result = incident_services.incident_report(
                    actor=request.user, data=form.incident_data()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("Incident %(reference)s reported; %(alerts)s alert(s) raised.")
                    % {"reference": result.incident.reference, "alerts": len(result.alerts)},
                )
                return submission.saved(redirect("incidents:detail", pk=result.incident.pk))
    return render(request, "incidents/incident_report.html", {"form": form})


def _timeline(incident: Incident) -> list[dict[str, Any]]:
    rows = []
    for entry in incident_timeline(incident=incident):
        delivery = entry.delivery
        rows.append(
            {
                "at": entry.at,
                "label": TIMELINE_LABELS.get(entry.kind, entry.kind),
                "kind": entry.kind,
                "alert_id": entry.alert_id,
                "actor": entry.actor,
                "channel": delivery.get_channel_display() if delivery else "",
                "recipient": delivery.recipient_label if delivery else "",
                "error": (
                    delivery.failure_summary if delivery and entry.kind == "delivery.dead" else ""
                ),
            }
        )
    return rows


def _record(incident: Incident) -> str:
    """Name the record an edit's signed base belongs to."""
    return f"incident:{incident.pk}"


def _detail_page(
    request: AuthenticatedHttpRequest,
    incident: Incident,
    update_form: IncidentUpdateForm | None,
    conflicts: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    view = incident_selectors.incident_view_for(user=request.user, incident=incident)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": view,
            "restricted": incident.incident_type.restricted,
            "timeline": _timeline(incident),
            "update_form": update_form,
            # The "Probably the same event" panel (incidents.events).
            **same_event_panel(request.user, incident),
            "conflicts": conflicts or [],
        },
        status=status,
    )


@login_required
@require_GET
def incident_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show an incident as the policy allows, with the timeline of its alerts."""
    access.require(request.user, Action.VIEW_INCIDENTS)
    incident = incident_selectors.incident_get(user=request.user, pk=pk)
    may_manage = access.incident_manage_allowed(request.user, incident)
    update_form = (
        IncidentUpdateForm(
            initial={
                "status": incident.status,
                "verification": incident.verification,
                "actions_taken": incident.actions_taken,
            },
            record=_record(incident),
            # What the officer starts from: a save is merged against it field by field.
            base_values=incident_services.incident_editable_values(incident),
        )
        if may_manage
        else None
    )
    return _detail_page(request, incident, update_form)


@login_required
@require_POST
def incident_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change the incident's status, verification or actions taken.

    The save is merged with what others saved since the form was opened (protection.edits):
    a field changed on both sides differently is shown again to choose; nothing is saved.
    """
    # A role that may not manage incidents is refused before the lookup, like the API's PATCH.
    access.require(request.user, Action.MANAGE_INCIDENTS)
    incident = incident_selectors.incident_get(user=request.user, pk=pk)
    form = IncidentUpdateForm(request.POST, record=_record(incident))
    if form.is_valid():
        submitted = {name: form.cleaned_data[name] for name in IncidentUpdateForm.EDITED}
        try:
            incident_services.incident_update(
                actor=request.user,
                incident=incident,
                base=form.base_values(),
                **form.kept(submitted),
            )
        except EditConflict as conflict:
            again = form_after_conflict(form, conflict)
            rows = conflict_rows(again, conflict)
            return _detail_page(request, incident, again, conflicts=rows, status=409)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("The incident was updated."))
    elif form.base is not None and form.base.conflicts:
        # A choice left unmade on the conflict page: show it again, with its error.
        return _detail_page(request, incident, form, conflicts=pending_rows(form), status=400)
    else:
        messages.error(request, " ".join(_form_messages(form)))
    return redirect("incidents:detail", pk=incident.pk)


def _form_messages(form: IncidentUpdateForm) -> list[str]:
    if form.non_field_errors():
        return [str(message) for message in form.non_field_errors()]
    return [gettext("Choose a status and a verification status.")]


@login_required
@require_GET
def incident_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show incidents and sites on the offline base layer, under tiles when a server is set."""
    access.require(request.user, Action.VIEW_INCIDENTS)
    form = IncidentFilterForm(request.GET or None, user=request.user)
    return render(
        request,
        "incidents/incident_map.html",
        {
            "form": form,
            "map_options": {
                "data_url": reverse("incidents:map_data") + "?" + request.GET.urlencode(),
                "tile_url": settings.MAP_TILE_URL,
                "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
                "base_url": static("incidents/basemap/region.geojson"),
            },
        },
    )


@login_required
@require_GET
def incident_map_data(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Return GeoJSON: the user's sites with their population, and incidents placed by policy."""
    access.require(request.user, Action.VIEW_INCIDENTS)
    form = IncidentFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound and form.is_valid() else {}
    return JsonResponse(map_features(user=request.user, filters=filters))


# Alerts.


@login_required
@require_GET
def alert_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the alerts the user received: those waiting (by deadline) or those acknowledged."""
    state = request.GET.get("state", alert_selectors.WAITING)
    if state not in alert_selectors.STATES:
        state = alert_selectors.WAITING
    alerts = list(alert_selectors.alert_inbox(user=request.user, state=state)[:ALERT_PAGE_SIZE])
    counts = alert_selectors.alert_state_counts(user=request.user)
    return render(
        request,
        "incidents/alert_list.html",
        {
            "rows": [_alert_row(alert) for alert in alerts],
            "state": state,
            "counts": counts,
            "more": counts[state] > len(alerts),
            "limit": ALERT_PAGE_SIZE,
        },
    )


def _alert_row(alert: Alert) -> dict[str, Any]:
    """What one row of the alerts page says about an alert."""
    return {
        "alert": alert,
        "warning": early_warning_summary(alert.details)
        if alert.kind == AlertKind.EARLY_WARNING
        else "",
    }


@login_required
@require_GET
def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show an alert the user received, whom it reached, and the acknowledge button."""
    alert = alert_selectors.alert_get(user=request.user, pk=pk)
    alert_services.alert_mark_read(actor=request.user, alert=alert)
    incident_url = None
    if (
        alert.incident_id
        and access.incidents_for(request.user).filter(pk=alert.incident_id).exists()
    ):
        incident_url = reverse("incidents:detail", args=[alert.incident_id])
    return render(
        request,
        "incidents/alert_detail.html",
        {
            "alert": alert,
            "incident": (
                incident_selectors.incident_anonymised(alert.incident) if alert.incident else None
            ),
            "incident_url": incident_url,
            "deliveries": list(deliveries_of(source=alert)),
            "acknowledged": alert.status == AlertStatus.ACKNOWLEDGED,
            "details": json.dumps(alert.details) if alert.details else "",
            "warning": early_warning_summary(alert.details)
            if alert.kind == AlertKind.EARLY_WARNING
            else "",
        },
    )


@login_required
@require_POST
def alert_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Acknowledge an alert the user received (from its page or the alerts page): escalation
    stops."""
    alert = alert_selectors.alert_get(user=request.user, pk=pk)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        try:
            alert_services.alert_acknowledge(actor=request.user, alert=alert)
        except PermissionDenied as denied:
            raise Http404 from denied
        messages.success(request, gettext("Alert acknowledged: escalation stopped."))
        # From the alerts page, back to the alerts still waiting; otherwise to the alert.
        if request.POST.get("return") == "list":
            return submission.saved(redirect("incidents:alert_list"))
        return submission.saved(redirect("incidents:alert_detail", pk=alert.pk))
