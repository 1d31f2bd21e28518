"""Writes of linked reports: link two incidents as one event, unlink one, choose the primary.

An officer may link only incidents they may see, and a restricted (GBV) incident only when
they may see its details (access.incident_detail_allowed); the role must allow managing
incidents. Linking an incident to one already in an event adds it to that event; two incidents
in two different events are refused (unlink one first). An event keeps at least two reports:
unlinking the last but one dissolves it. The audit names ids only.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from incidents.models import Incident, IncidentEvent
from protection import access
from protection.access import Action
from protection.accounts.models import User
from protection.audit import audit_record


def _may_link(actor: User, incident: Incident) -> None:
    """Refuse an incident the actor may not see (404 upstream) or whose details are hidden."""
    if not access.can(actor, Action.MANAGE_INCIDENTS):
        raise PermissionDenied
    if not access.incidents_for(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied
    if incident.incident_type.restricted and not access.incident_detail_allowed(actor, incident):
        raise PermissionDenied


def _locked(*incidents: Incident) -> dict[int, Incident]:
    rows = Incident.objects.select_for_update().filter(pk__in=[i.pk for i in incidents])
    return {row.pk: row for row in rows.order_by("pk")}


def incident_link(*, actor: User, incident: Incident, other: Incident) -> IncidentEvent:
    """Link `other` to `incident` as reports of one event; return the event. Audited.

    A new event takes `incident` as its primary record.
    """
    if incident.pk == other.pk:
        raise ValidationError({"other": _("An incident cannot be linked to itself.")})
    _may_link(actor, incident)
    _may_link(actor, other)
    with transaction.atomic():
        rows = _locked(incident, other)
        first, second = rows[incident.pk], rows[other.pk]
        if first.event_id and second.event_id:
            if first.event_id == second.event_id:
                raise ValidationError({"other": _("These reports are already linked.")})
            raise ValidationError(
                {"other": _("Both reports are already linked to other reports: unlink one first.")}
            )
        event_id = first.event_id or second.event_id
        if event_id is None:
            event = IncidentEvent.objects.create(primary=first, created_by=actor)
            audit_record(
                actor=actor,
                action="incident_event.create",
                obj=event,
                changes={"primary": [None, first.pk]},
            )
        else:
            event = IncidentEvent.objects.get(pk=event_id)
        added = [row for row in (first, second) if row.event_id != event.pk]
        for row in added:
            row.event = event
            row.save(update_fields=["event", "updated_at"])
            for given in (incident, other):
                if given.pk == row.pk:
                    given.event_id = event.pk
            audit_record(
                actor=actor,
                action="incident_event.link",
                obj=row,
                changes={"event": [None, event.pk]},
            )
    return event


def incident_unlink(*, actor: User, incident: Incident) -> IncidentEvent | None:
    """Take the incident out of its event; return the event, or None when it was dissolved.

    The primary record passes to the oldest report left; an event of one report is dissolved.
    """
    _may_link(actor, incident)
    with transaction.atomic():
        row = _locked(incident)[incident.pk]
        if row.event_id is None:
            raise ValidationError({"incident": _("This report is not linked to an event.")})
        event = IncidentEvent.objects.select_for_update().get(pk=row.event_id)
        row.event = None
        row.save(update_fields=["event", "updated_at"])
        incident.event_id = None
        audit_record(
            actor=actor,
            action="incident_event.unlink",
            obj=row,
            changes={"event": [event.pk, None]},
        )
        left = list(Incident.objects.filter(event_id=event.pk).order_by("pk"))
        if len(left) < 2:
            for other in left:
                other.event = None
                other.save(update_fields=["event", "updated_at"])
            audit_record(
                actor=actor,
                action="incident_event.dissolve",
                obj=event,
                changes={"reports": [len(left) + 1, 0]},
            )
            event.delete()
            return None
        if event.primary_id == row.pk:
            event.primary = left[0]
            event.save(update_fields=["primary"])
            audit_record(
                actor=actor,
                action="incident_event.primary",
                obj=event,
                changes={"primary": [row.pk, left[0].pk]},
            )
    return event


def incident_event_set_primary(*, actor: User, incident: Incident) -> IncidentEvent:
    """Make the incident the primary record of its event. Audited."""
    _may_link(actor, incident)
    with transaction.atomic():
        row = _locked(incident)[incident.pk]
        if row.event_id is None:
            raise ValidationError({"incident": _("This report is not linked to an event.")})
        event = IncidentEvent.objects.select_for_update().get(pk=row.event_id)
        if event.primary_id != row.pk:
            before = event.primary_id
            event.primary = row
            event.save(update_fields=["primary"])
            audit_record(
                actor=actor,
                action="incident_event.primary",
                obj=event,
                changes={"primary": [before, row.pk]},
            )
    return event
