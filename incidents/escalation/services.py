"""Escalate an alert nobody acknowledged in time: tell its policy's next tier, then the admins.

Beat runs incidents.tasks.alerts_escalate_due; each alert is locked and its state checked first,
so that two runs, or a run and an acknowledgement, cannot both move it.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from incidents.alerts.notices import alert_content, alert_deadline, alert_payload, tier_notify
from incidents.models import Alert, AlertStatus
from protection.accounts.models import Role, User
from protection.audit import audit_record
from protection.notifications.models import DeliveryChannel, WebhookEvent
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    language_of,
)


@dataclass(frozen=True)
class EscalationOutcome:
    """What one escalation run did to an alert."""

    alert_id: int
    status: str
    tier: int
    deliveries: int


def _alert_admins(alert: Alert) -> list[User]:
    """Return who is told that nobody acknowledged: admins of the agencies concerned."""
    agencies: set[int] = set()
    if alert.incident is not None:
        agencies.add(alert.incident.reporting_agency_id)
    if alert.site is not None:
        agencies.add(alert.site.managing_agency_id)
    if alert.policy is not None:
        for tier in alert.policy.tiers.all():
            for recipient in tier.recipients.all():
                if recipient.agency_id is not None:
                    agencies.add(recipient.agency_id)
                elif recipient.user is not None and recipient.user.agency_id is not None:
                    agencies.add(recipient.user.agency_id)
    return list(
        User.objects.filter(
            agency_id__in=agencies, agency__active=True, is_active=True, role=Role.ADMIN
        ).order_by("id")
    )


def alert_escalate(
    *, alert_id: int, now: datetime.datetime | None = None
) -> EscalationOutcome | None:
    """Tell the next tier of an unacknowledged alert past its deadline, or mark it exhausted.

    Return None when there is nothing to do (acknowledged, not due, already escalated by a
    concurrent run). After the last tier the alert is exhausted and the admins told.
    """
    now = now or timezone.now()
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("incident__incident_type", "site", "policy")
            .filter(
                pk=alert_id, status=AlertStatus.OPEN, deadline_at__lte=now, policy__isnull=False
            )
            .first()
        )
        if alert is None or alert.policy is None:
            return None
        next_tier = alert.policy.tiers.filter(level__gt=alert.tier).order_by("level").first()
        if next_tier is not None:
            previous = alert.tier
            alert.tier = next_tier.level
            alert.deadline_at = alert_deadline(next_tier, now)
            alert.escalated_at = now
            alert.save(update_fields=["tier", "deadline_at", "escalated_at"])
            count = tier_notify(alert, next_tier, event=WebhookEvent.ALERT_ESCALATED)
            audit_record(
                actor=None,
                action="alert.escalate",
                obj=alert,
                changes={"tier": [previous, alert.tier], "deliveries": [None, count]},
            )
            return EscalationOutcome(
                alert_id=alert.pk, status=alert.status, tier=alert.tier, deliveries=count
            )
        alert.status = AlertStatus.EXHAUSTED
        alert.exhausted_at = now
        alert.deadline_at = None
        alert.save(update_fields=["status", "exhausted_at", "deadline_at"])
        admins = _alert_admins(alert)
        deliveries = deliveries_queue(
            source=alert,
            occasion="exhausted",
            event="alert.exhausted",
            recipients=[Recipient(channel=DeliveryChannel.IN_APP, user=admin) for admin in admins],
            compose=lambda recipient: _exhausted_content(alert, recipient),
            payload=alert_payload(alert),
        )
        audit_record(
            actor=None,
            action="alert.exhaust",
            obj=alert,
            changes={
                "status": [AlertStatus.OPEN, AlertStatus.EXHAUSTED],
                "admins_told": [None, len(admins)],
            },
        )
        return EscalationOutcome(
            alert_id=alert.pk, status=alert.status, tier=alert.tier, deliveries=len(deliveries)
        )


def _exhausted_content(alert: Alert, recipient: Recipient) -> Content:
    notice = alert_content(alert, recipient, escalated=False)
    with translation.override(language_of(recipient.user)):
        return Content(
            subject=_("Nobody acknowledged: %(subject)s") % {"subject": notice.subject},
            body=_(
                "Every tier of the policy %(policy)s was told and nobody acknowledged this "
                "alert. %(body)s"
            )
            % {"policy": alert.policy, "body": notice.body},
        )
