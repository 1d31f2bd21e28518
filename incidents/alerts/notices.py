"""What an alert tells its recipients, and the outbox rows that carry it to a tier.

An alert's notice and webhook payload hold the anonymised incident only, whoever receives them.
Each tier told is an occasion of its own: someone named in tier 1 and tier 2 gets the alert when
it is raised and again, as `alert.escalated`, when it reaches tier 2.
"""

import datetime
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from incidents.alerts.wording import early_warning_summary
from incidents.models import Alert, AlertKind, EscalationTier, Severity
from incidents.policies.selectors import tier_recipients
from incidents.representations import incident_anonymised
from protection.notifications.models import DeliveryChannel, WebhookEvent
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    language_of,
)


def alert_deadline(tier: EscalationTier, now: datetime.datetime) -> datetime.datetime:
    """Return when the tier must have acknowledged an alert it is told of now."""
    return now + datetime.timedelta(minutes=tier.deadline_minutes)


def _severity_label(severity: int) -> str:
    return str(Severity(severity).label)


def is_drill(alert: Alert) -> bool:
    """Tell whether the alert is about a drill's simulated incident."""
    incident = alert.incident
    return incident is not None and incident.drill_id is not None


def alert_content(alert: Alert, recipient: Recipient, *, escalated: bool) -> Content:
    """Write the notice in the recipient's language; it holds no identifying detail."""
    language = language_of(recipient.user) if recipient.user is not None else None
    with translation.override(language):
        site = alert.site
        place = str(site) if site is not None else _("a place outside the registered sites")
        deadline = (
            formats.date_format(timezone.localtime(alert.deadline_at), "DATETIME_FORMAT")
            if alert.deadline_at
            else ""
        )
        if alert.kind == AlertKind.EARLY_WARNING:
            subject = _("Early warning: incidents rising at %(place)s") % {"place": place}
            body = _("At %(place)s: %(summary)s.") % {
                "summary": early_warning_summary(alert.details),
                "place": place,
            }
        else:
            incident = alert.incident
            assert incident is not None
            values = {
                "severity": _severity_label(alert.severity),
                "type": incident.incident_type.label,
                "place": place,
                "reference": incident.reference,
                "date": formats.date_format(timezone.localtime(incident.occurred_at).date()),
                "victims": incident.victim_count,
            }
            subject = _("[%(severity)s] %(type)s at %(place)s (%(reference)s)") % values
            body = (
                _(
                    "Incident %(reference)s: %(type)s, severity %(severity)s, at %(place)s on "
                    "%(date)s; %(victims)s victim(s) counted."
                )
                % values
            )
            if incident.involves_children:
                body += " " + _("Children are involved: child protection is concerned.")
        if is_drill(alert):
            # Said first, in the subject and the body, so that no one takes it for real.
            subject = _("DRILL: %(subject)s") % {"subject": subject}
            body = _("DRILL: this is an exercise, not a real incident.") + " " + body
        if escalated:
            body += " " + _("Nobody acknowledged this alert in time; it is escalated to you.")
        if deadline and recipient.channel != DeliveryChannel.IN_APP:
            # The inbox links to the alert page, which shows the deadline while it holds; a
            # message sent away keeps it, on a line of its own and without a period after
            # the time: an English time ends in "a.m." already.
            body += "\n" + _("Acknowledge it by: %(deadline)s") % {"deadline": deadline}
        return Content(subject=subject, body=body)


def alert_payload(alert: Alert) -> dict[str, Any]:
    """Return the JSON a webhook receives about an alert: anonymised, with the alert's id."""
    payload: dict[str, Any] = {
        "alert": {
            "id": alert.pk,
            "kind": alert.kind,
            "status": alert.status,
            "tier": alert.tier,
            "severity": alert.severity,
            "raised_at": alert.raised_at.isoformat(),
            "deadline_at": alert.deadline_at.isoformat() if alert.deadline_at else None,
        },
        "site": {"id": alert.site.pk, "code": alert.site.code, "name": alert.site.name}
        if alert.site is not None
        else None,
    }
    if alert.incident is not None:
        payload["incident"] = incident_anonymised(alert.incident).as_data()
    if alert.kind == AlertKind.EARLY_WARNING:
        payload["early_warning"] = alert.details
    if is_drill(alert):
        payload["drill"] = True
    return payload


def tier_occasion(tier: EscalationTier, *, escalated: bool) -> str:
    """Return the occasion of a tier's deliveries: "alert" when raised, one per tier escalated to.

    Raising keeps the occasion the first version used for every tier, so that the deliveries
    written before still count as written; each escalation is new, whoever was told before.
    """
    return f"escalated-tier-{tier.level}" if escalated else "alert"


def tier_notify(alert: Alert, tier: EscalationTier, *, event: str) -> int:
    """Queue the tier's deliveries for the alert; return how many were written.

    Running it twice for the same tier writes nothing more; someone already told at an
    earlier tier is told again, with the escalation's own delivery and key.
    """
    escalated = event == WebhookEvent.ALERT_ESCALATED
    deliveries = deliveries_queue(
        source=alert,
        occasion=tier_occasion(tier, escalated=escalated),
        event=event,
        recipients=tier_recipients(tier=tier, event=event, site=alert.site),
        compose=lambda recipient: alert_content(alert, recipient, escalated=escalated),
        payload={**alert_payload(alert), "tier": tier.level},
    )
    return len(deliveries)
