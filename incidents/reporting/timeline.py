"""An incident's timeline: its report and updates, its alerts, their deliveries and escalation."""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast

from incidents.models import Alert, Incident
from protection.audit import object_type_of
from protection.models import AuditEvent
from protection.notifications.models import Delivery

if TYPE_CHECKING:
    from protection.accounts.models import User


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an incident's timeline."""

    at: datetime.datetime
    kind: str
    alert_id: int | None = None
    delivery: Delivery | None = None
    actor: "User | None" = None
    details: dict[str, Any] = field(default_factory=dict)


def incident_timeline(*, incident: Incident) -> list[TimelineEntry]:
    """Return what happened to an incident and its alerts, oldest first.

    Reported, every alert raised, each delivery (written, sent, failed, given up), each
    escalation, acknowledgement and exhaustion. Alerts carry no victim details, so the
    timeline is the same for everyone who may see the incident.
    """
    entries = [
        TimelineEntry(at=incident.reported_at, kind="incident.report", actor=incident.reported_by)
    ]
    alert_ids = list(Alert.objects.filter(incident=incident).values_list("pk", flat=True))
    events = AuditEvent.objects.filter(
        Q(object_type=object_type_of(incident), object_id=str(incident.pk))
        & ~Q(action="incident.report")
        | Q(object_type="incidents.alert", object_id__in=[str(pk) for pk in alert_ids])
    ).select_related("actor")
    for event in events:
        alert_id = int(event.object_id) if event.object_type == "incidents.alert" else None
        entries.append(
            TimelineEntry(
                at=event.created_at,
                kind=event.action,
                alert_id=alert_id,
                actor=event.actor,
                details=event.changes,
            )
        )
    deliveries = (
        Delivery.objects.filter(source_type="incidents.alert")
        .annotate(alert_id=Cast("source_id", BigIntegerField()))
        .filter(alert_id__in=alert_ids)
        .select_related("recipient_user", "subscription")
    )
    for delivery in deliveries:
        alert_id = int(delivery.source_id)
        entries.append(
            TimelineEntry(
                at=delivery.created_at, kind="delivery.queued", alert_id=alert_id, delivery=delivery
            )
        )
        if delivery.sent_at is not None:
            entries.append(
                TimelineEntry(
                    at=delivery.sent_at, kind="delivery.sent", alert_id=alert_id, delivery=delivery
                )
            )
        if delivery.dead_at is not None:
            entries.append(
                TimelineEntry(
                    at=delivery.dead_at, kind="delivery.dead", alert_id=alert_id, delivery=delivery
                )
            )
    entries.sort(key=lambda entry: (entry.at, entry.kind))
    return entries
