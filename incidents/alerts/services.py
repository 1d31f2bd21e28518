"""Every write about an incident's alerts: raise them when it is reported, acknowledge them.

Escalating an unacknowledged alert is incidents.escalation; early warnings, which are alerts
about a site, are incidents.early_warning.
"""

import datetime
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from incidents.alerts.notices import alert_deadline, tier_notify
from incidents.models import Alert, AlertKind, AlertStatus, Incident, PolicyTrigger
from incidents.policies.selectors import policies_matching
from protection import access
from protection.audit import audit_record, diff, snapshot
from protection.notifications.models import WebhookEvent
from protection.notifications.services.inbox import notifications_mark_read_for

if TYPE_CHECKING:
    from protection.accounts.models import User

logger = logging.getLogger(__name__)


def incident_alerts_raise(*, incident: Incident, now: datetime.datetime) -> list[Alert]:
    """Raise an alert for each policy the new incident falls under and tell its first tier.

    Called by incident_report inside its transaction, so that the incident, its alerts and
    their first deliveries are written together.
    """
    alerts = []
    policies = policies_matching(
        trigger=PolicyTrigger.INCIDENT,
        type_id=incident.incident_type_id,
        severity=incident.severity,
        site_id=incident.site_id,
    )
    for policy in policies:
        tiers = list(policy.tiers.all())
        if not tiers:
            logger.warning("Escalation policy %s has no tiers; no alert raised.", policy.pk)
            continue
        alert = Alert.objects.create(
            key=f"incident:{incident.pk}:{policy.pk}",
            kind=AlertKind.INCIDENT,
            incident=incident,
            site=incident.site,
            policy=policy,
            severity=incident.severity,
            tier=tiers[0].level,
            deadline_at=alert_deadline(tiers[0], now),
            raised_at=now,
        )
        count = tier_notify(alert, tiers[0], event=WebhookEvent.ALERT_RAISED)
        audit_record(
            actor=None,
            action="alert.raise",
            obj=alert,
            changes={
                "policy": [None, policy.pk],
                "tier": [None, alert.tier],
                "deliveries": [None, count],
            },
        )
        alerts.append(alert)
    return alerts


def alert_acknowledge(*, actor: "User", alert: Alert) -> Alert:
    """Record that the actor, a recipient of the alert, will act: escalation stops.

    Acknowledging again changes nothing. Raise PermissionDenied when the actor did not
    receive the alert (callers answer 404).
    """
    if not access.alerts_for(actor).filter(pk=alert.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.ACKNOWLEDGED:
            before = snapshot(locked, ["status", "acknowledged_by", "acknowledged_at"])
            locked.status = AlertStatus.ACKNOWLEDGED
            locked.acknowledged_by = actor
            locked.acknowledged_at = timezone.now()
            locked.deadline_at = None
            locked.save(
                update_fields=["status", "acknowledged_by", "acknowledged_at", "deadline_at"]
            )
            audit_record(
                actor=actor,
                action="alert.acknowledge",
                obj=locked,
                changes=diff(
                    before, snapshot(locked, ["status", "acknowledged_by", "acknowledged_at"])
                ),
            )
        notifications_mark_read_for(actor=actor, source=locked)
    return locked


def alert_mark_read(*, actor: "User", alert: Alert) -> int:
    """Record that the actor opened the alert: its notices in their inbox are read.

    Return how many notices changed. Reading is not audited, as for any other notification.
    Raise PermissionDenied when the actor did not receive the alert (callers answer 404).
    """
    if not access.alerts_for(actor).filter(pk=alert.pk).exists():
        raise PermissionDenied
    return notifications_mark_read_for(actor=actor, source=alert)
