"""Raise early-warning alerts: a site whose recent incidents are improbably many for that site.

The statistics are incidents.early_warning.statistics; this module turns a raised assessment
into an alert, at most one per site, window, day and policy.
"""

import datetime
import functools

from django.db import transaction
from django.utils import timezone

from camps.models import Site
from incidents.alerts.notices import alert_content, alert_deadline, alert_payload, tier_notify
from incidents.early_warning import statistics
from incidents.models import Alert, AlertKind, EscalationPolicy, PolicyTrigger, Severity
from incidents.policies.selectors import policies_matching
from protection.accounts.models import Role, User
from protection.audit import audit_record
from protection.notifications.models import DeliveryChannel, WebhookEvent
from protection.notifications.services.outbox import Recipient, deliveries_queue


def early_warning_raise(
    *, site: Site, assessment: statistics.WindowAssessment, now: datetime.datetime | None = None
) -> list[Alert]:
    """Raise an early-warning alert for the site through the matching policies.

    At most one alert per site, window, day and policy. Without a matching policy, the site's
    managing agency's admins and supervisors are told in their inbox, without escalation.
    """
    now = now or timezone.now()
    day = timezone.localtime(now).date().isoformat()
    details = {
        "window": assessment.window,
        "observed": assessment.observed,
        "expected": round(assessment.expected, 3),
        "probability": assessment.probability,
    }
    policies: list[EscalationPolicy | None] = [
        p
        for p in policies_matching(
            trigger=PolicyTrigger.EARLY_WARNING,
            type_id=None,
            severity=Severity.SERIOUS,
            site_id=site.pk,
        )
        if p.tiers.all()
    ]
    if not policies:
        policies = [None]
    raised = []
    with transaction.atomic():
        for policy in policies:
            key = f"early_warning:{site.pk}:{assessment.window}:{day}:{policy.pk if policy else 0}"
            if Alert.objects.filter(key=key).exists():
                continue
            tiers = list(policy.tiers.all()) if policy is not None else []
            alert = Alert.objects.create(
                key=key,
                kind=AlertKind.EARLY_WARNING,
                site=site,
                policy=policy,
                severity=Severity.SERIOUS,
                tier=tiers[0].level if tiers else 1,
                deadline_at=alert_deadline(tiers[0], now) if tiers else None,
                details=details,
                raised_at=now,
            )
            if tiers:
                count = tier_notify(alert, tiers[0], event=WebhookEvent.EARLY_WARNING_RAISED)
            else:
                managers = User.objects.filter(
                    agency_id=site.managing_agency_id,
                    is_active=True,
                    role__in=[Role.ADMIN, Role.SUPERVISOR],
                ).order_by("id")
                count = len(
                    deliveries_queue(
                        source=alert,
                        occasion="alert",
                        event=WebhookEvent.EARLY_WARNING_RAISED,
                        recipients=[
                            Recipient(channel=DeliveryChannel.IN_APP, user=user)
                            for user in managers
                        ],
                        compose=functools.partial(alert_content, alert, escalated=False),
                        payload=alert_payload(alert),
                    )
                )
            audit_record(
                actor=None,
                action="alert.raise",
                obj=alert,
                changes={
                    "policy": [None, policy.pk if policy else None],
                    "early_warning": [None, details],
                    "deliveries": [None, count],
                },
            )
            raised.append(alert)
    return raised


def early_warning_scan(*, now: datetime.datetime | None = None) -> list[Alert]:
    """Assess every site with recent incidents and raise the warnings due; return them."""
    now = now or timezone.now()
    raised: list[Alert] = []
    counts = statistics.site_counts(now=now)
    sites = Site.objects.in_bulk([c.site_id for c in counts])
    for site_counts in counts:
        for assessment in statistics.assess_site(site_counts):
            if assessment.raised:
                raised.extend(
                    early_warning_raise(
                        site=sites[site_counts.site_id], assessment=assessment, now=now
                    )
                )
    return raised
