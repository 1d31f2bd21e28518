"""Every write about incidents and alerts: report, update, acknowledge, escalate, early warning,
escalation policies, and GBV designations.

Reporting is one transaction: the incident, an alert for each matching escalation policy, and
one delivery row per recipient and channel of the first tier (the outbox). The delivery tasks
are enqueued when that transaction commits; if the broker is down then, the sweeper sends the
rows later. An alert's content is the anonymised incident only, whoever receives it.
"""

import datetime
import decimal
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from camps.models import Site
from cases import codes
from cases.models import DisplacedPerson, ProtectionCase, Sex
from incidents import early_warning
from incidents.filters import INCIDENT_PREFIX
from incidents.models import (
    Alert,
    AlertKind,
    AlertStatus,
    DatePrecision,
    EscalationPolicy,
    EscalationTier,
    GbvDesignation,
    Incident,
    IncidentStatus,
    IncidentTaxonomy,
    IncidentType,
    IncidentVictim,
    InformationSource,
    PerpetratorCategory,
    PolicyTrigger,
    Severity,
    Verification,
)

# Policies live in incidents.policies; re-exported for the callers that import them from here.
from incidents.policies import POLICY_FIELDS as POLICY_FIELDS
from incidents.policies import TierSpec as TierSpec
from incidents.policies import escalation_policy_create as escalation_policy_create
from incidents.policies import escalation_policy_delete as escalation_policy_delete
from incidents.policies import escalation_policy_update as escalation_policy_update
from incidents.selectors import (
    incident_anonymised,
    incident_webhook_recipients,
    policies_matching,
    tier_recipients,
)
from protection import access
from protection.access import Action
from protection.accounts.models import Role, User
from protection.audit import MASK, audit_record, diff, snapshot
from protection.dates import age_on
from protection.notifications.models import DeliveryChannel, WebhookEvent
from protection.notifications.services.inbox import notifications_mark_read_for
from protection.notifications.services.outbox import (
    Content,
    Recipient,
    deliveries_queue,
    language_of,
)

logger = logging.getLogger(__name__)

_CODE_ATTEMPTS = 5
# A phone's clock may run a little ahead of the server's.
_CLOCK_SKEW = datetime.timedelta(minutes=5)
ADULT_AGE = 18

# Fields recorded in the audit trail; for a restricted (GBV) type those that could identify a
# survivor are masked there, because admins read the audit trail.
_AUDITED_FIELDS = (
    "incident_type",
    "severity",
    "occurred_at",
    "occurred_precision",
    "reported_at",
    "site",
    "latitude",
    "longitude",
    "admin1",
    "admin2",
    "location_detail",
    "female_children",
    "male_children",
    "female_adults",
    "male_adults",
    "sex_or_age_unknown",
    "perpetrator_category",
    "source",
    "verification",
    "description",
    "actions_taken",
    "involves_children",
    "linked_case",
    "status",
    "reporting_agency",
)
_IDENTIFYING_FIELDS = frozenset(
    {
        "latitude",
        "longitude",
        "location_detail",
        "description",
        "actions_taken",
        "victims",
        "linked_case",
    }
)


@dataclass
class IncidentData:
    """What a reporter records about one incident; forms and serializers build this."""

    incident_type: IncidentType
    severity: int
    occurred_at: datetime.datetime
    perpetrator_category: PerpetratorCategory
    source: str
    description: str
    occurred_precision: str = DatePrecision.EXACT
    site: Site | None = None
    latitude: decimal.Decimal | None = None
    longitude: decimal.Decimal | None = None
    admin1: str = ""
    admin2: str = ""
    location_detail: str = ""
    victims: list[DisplacedPerson] = field(default_factory=list)
    female_children: int = 0
    male_children: int = 0
    female_adults: int = 0
    male_adults: int = 0
    sex_or_age_unknown: int = 0
    verification: str = Verification.REPORTED
    actions_taken: str = ""
    linked_case: ProtectionCase | None = None


@dataclass(frozen=True)
class IncidentReport:
    incident: Incident
    alerts: list[Alert]


def normalise_occurred_at(moment: datetime.datetime, precision: str) -> datetime.datetime:
    """Return the stored time: as given, or the start of its day or month (local time)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    local = timezone.localtime(moment)
    if precision == DatePrecision.DAY:
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif precision == DatePrecision.MONTH:
        local = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return local


def _tally(victims: Sequence[DisplacedPerson], day: datetime.date) -> dict[str, int]:
    """Count linked victims by sex and age group on the day of the incident."""
    tally = dict.fromkeys(
        ("female_children", "male_children", "female_adults", "male_adults", "sex_or_age_unknown"),
        0,
    )
    for person in victims:
        group = "adults" if age_on(person.date_of_birth, day) >= ADULT_AGE else "children"
        if person.sex == Sex.FEMALE:
            tally[f"female_{group}"] += 1
        elif person.sex == Sex.MALE:
            tally[f"male_{group}"] += 1
        else:
            tally["sex_or_age_unknown"] += 1
    return tally


def _validate(actor: Any, data: IncidentData, now: datetime.datetime) -> None:
    """Collect every problem with the report into one ValidationError."""
    errors: dict[str, str] = {}
    if not data.incident_type.active:
        errors["incident_type"] = _("This incident type is no longer in use.")
    if data.severity not in Severity.values:
        errors["severity"] = _("Choose a severity from 1 (low) to 4 (critical).")
    if data.occurred_precision not in DatePrecision.values:
        errors["occurred_precision"] = _("Choose how precisely the date is known.")
    elif data.occurred_at > now + _CLOCK_SKEW:
        errors["occurred_at"] = _("The incident cannot have occurred in the future.")
    if not data.perpetrator_category.active:
        errors["perpetrator_category"] = _("This perpetrator category is no longer in use.")
    if data.source not in InformationSource.values:
        errors["source"] = _("Choose how the information was obtained.")
    if data.verification not in Verification.values:
        errors["verification"] = _("Choose a verification status.")
    if not data.description.strip():
        errors["description"] = _("Describe what happened.")
    if (data.latitude is None) != (data.longitude is None):
        errors["longitude" if data.longitude is None else "latitude"] = _(
            "Give both latitude and longitude, or neither."
        )
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = getattr(data, name)
        if value is not None and not -limit <= decimal.Decimal(value) <= limit:
            errors[name] = _("This value must lie between -%(limit)s and %(limit)s.") % {
                "limit": limit
            }
    if data.site is None and data.latitude is None and "latitude" not in errors:
        errors["site"] = _("Choose the site, or give the coordinates of the place.")
    for name in ("female_children", "male_children", "female_adults", "male_adults"):
        if getattr(data, name) < 0:
            errors[name] = _("A count cannot be negative.")
    if data.sex_or_age_unknown < 0:
        errors["sex_or_age_unknown"] = _("A count cannot be negative.")
    if data.linked_case is not None and not (
        access.cases_for(actor).filter(pk=data.linked_case.pk).exists()
    ):
        errors["linked_case"] = _("Choose a case you can see.")
    if data.victims:
        visible = set(
            access.people_for(actor)
            .filter(pk__in=[p.pk for p in data.victims])
            .values_list("pk", flat=True)
        )
        # A person the reporter may not see is refused like an unknown one: no id leaks.
        if any(person.pk not in visible for person in data.victims):
            errors["victims"] = _("Choose victims among the people your agency registered.")
    if errors:
        raise ValidationError(errors)


def _save_with_reference(incident: Incident) -> None:
    """Insert with a fresh random reference, drawing again on the (rare) collision."""
    for _attempt in range(_CODE_ATTEMPTS):
        incident.reference = codes.new_code(INCIDENT_PREFIX)
        try:
            with transaction.atomic():
                incident.save()
            return
        except IntegrityError:
            if Incident.objects.filter(reference=incident.reference).exists():
                continue
            raise
    raise RuntimeError("Could not draw a free incident reference.")


def _audit_changes(incident: Incident, before: dict[str, Any] | None = None) -> dict[str, Any]:
    changes = diff(before or {}, snapshot(incident, _AUDITED_FIELDS))
    if incident.incident_type.restricted:
        changes = {
            name: ([MASK, MASK] if name in _IDENTIFYING_FIELDS else value)
            for name, value in changes.items()
        }
    return changes


def incident_report(*, actor: Any, data: IncidentData) -> IncidentReport:
    """Record an incident, raise its alerts and queue their first deliveries, in one transaction.

    Raise ValidationError for bad data (nothing is written) and PermissionDenied when the
    actor may not report incidents, or not at this site.
    """
    access.require(actor, Action.REPORT_INCIDENTS)
    if data.site is not None and not access.site_allows_incident_report(actor, data.site):
        raise PermissionDenied
    now = timezone.now()
    _validate(actor, data, now)
    occurred_at = normalise_occurred_at(data.occurred_at, data.occurred_precision)
    tally = _tally(data.victims, timezone.localtime(occurred_at).date())
    counts = {name: max(getattr(data, name), linked) for name, linked in tally.items()}
    involves_children = (
        data.incident_type.child_protection
        or data.incident_type.taxonomy == IncidentTaxonomy.GRAVE_VIOLATION
        or counts["female_children"] + counts["male_children"] > 0
    )
    site = data.site
    with transaction.atomic():
        incident = Incident(
            incident_type=data.incident_type,
            severity=data.severity,
            occurred_at=occurred_at,
            occurred_precision=data.occurred_precision,
            reported_at=now,
            site=site,
            latitude=data.latitude,
            longitude=data.longitude,
            admin1=(data.admin1.strip() or (site.admin1 if site else "")),
            admin2=(data.admin2.strip() or (site.admin2 if site else "")),
            location_detail=data.location_detail.strip(),
            perpetrator_category=data.perpetrator_category,
            source=data.source,
            verification=data.verification,
            description=data.description.strip(),
            actions_taken=data.actions_taken.strip(),
            involves_children=involves_children,
            linked_case=data.linked_case,
            status=IncidentStatus.OPEN,
            reported_by=actor,
            reporting_agency=actor.agency,
            **counts,
        )
        _save_with_reference(incident)
        IncidentVictim.objects.bulk_create(
            IncidentVictim(incident=incident, person=person, added_by=actor)
            for person in {p.pk: p for p in data.victims}.values()
        )
        changes = _audit_changes(incident)
        if data.victims:
            changes["victims"] = (
                [MASK, MASK]
                if incident.incident_type.restricted
                else [None, sorted(p.pk for p in data.victims)]
            )
        audit_record(actor=actor, action="incident.report", obj=incident, changes=changes)
        alerts = _raise_incident_alerts(incident, now)
        recipients = incident_webhook_recipients(incident)
        if recipients:
            document = incident_anonymised(incident).as_data()
            deliveries_queue(
                source=incident,
                occasion="reported",
                event=WebhookEvent.INCIDENT_REPORTED,
                recipients=recipients,
                compose=lambda _recipient: Content(
                    subject=f"{incident.reference} {incident.incident_type.name}", body=""
                ),
                payload={"incident": document},
            )
    return IncidentReport(incident=incident, alerts=alerts)


_UPDATABLE = ("status", "verification", "actions_taken")


def incident_update(
    *,
    actor: Any,
    incident: Incident,
    status: str | None = None,
    verification: str | None = None,
    actions_taken: str | None = None,
) -> Incident:
    """Move the incident's response forward: status, verification, actions taken; audited."""
    if not access.incidents_for(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied
    if not access.incident_manage_allowed(actor, incident):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if status is not None and status not in IncidentStatus.values:
        errors["status"] = _("Choose a valid status.")
    if verification is not None and verification not in Verification.values:
        errors["verification"] = _("Choose a verification status.")
    if errors:
        raise ValidationError(errors)
    before = snapshot(incident, _AUDITED_FIELDS)
    with transaction.atomic():
        if status is not None:
            incident.status = status
        if verification is not None:
            incident.verification = verification
        if actions_taken is not None:
            incident.actions_taken = actions_taken.strip()
        changes = _audit_changes(incident, before)
        if changes:
            incident.save(update_fields=[*_UPDATABLE, "updated_at"])
            audit_record(actor=actor, action="incident.update", obj=incident, changes=changes)
    return incident


# Alerts.


def _deadline(tier: EscalationTier, now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(minutes=tier.deadline_minutes)


def _severity_label(severity: int) -> str:
    return str(Severity(severity).label)


def _alert_content(alert: Alert, recipient: Recipient, *, escalated: bool) -> Content:
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
            details = alert.details
            subject = _("Early warning: incidents rising at %(place)s") % {"place": place}
            body = _(
                "%(observed)s incidents at %(place)s in the last %(window)s, against "
                "%(expected)s expected from this site's baseline (chance %(probability)s)."
            ) % {
                "observed": details.get("observed"),
                "place": place,
                "window": details.get("window"),
                "expected": f"{details.get('expected', 0):.1f}",
                "probability": f"{details.get('probability', 0):.2g}",
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
        if escalated:
            body += " " + _("Nobody acknowledged this alert in time; it is escalated to you.")
        if deadline:
            body += " " + _("Acknowledge it by %(deadline)s.") % {"deadline": deadline}
        return Content(subject=subject, body=body)


def _alert_payload(alert: Alert) -> dict[str, Any]:
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
    return payload


def _notify_tier(alert: Alert, tier: EscalationTier, *, event: str) -> int:
    """Queue the tier's deliveries for the alert; return how many were written.

    The occasion is the alert itself, not the tier, so someone named in two tiers is told
    once per channel.
    """
    escalated = event == WebhookEvent.ALERT_ESCALATED
    deliveries = deliveries_queue(
        source=alert,
        occasion="alert",
        event=event,
        recipients=tier_recipients(tier=tier, event=event, site=alert.site),
        compose=lambda recipient: _alert_content(alert, recipient, escalated=escalated),
        payload={**_alert_payload(alert), "tier": tier.level},
    )
    return len(deliveries)


def _raise_incident_alerts(incident: Incident, now: datetime.datetime) -> list[Alert]:
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
            deadline_at=_deadline(tiers[0], now),
            raised_at=now,
        )
        count = _notify_tier(alert, tiers[0], event=WebhookEvent.ALERT_RAISED)
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


def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
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


@dataclass(frozen=True)
class EscalationOutcome:
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
            alert.deadline_at = _deadline(next_tier, now)
            alert.escalated_at = now
            alert.save(update_fields=["tier", "deadline_at", "escalated_at"])
            count = _notify_tier(alert, next_tier, event=WebhookEvent.ALERT_ESCALATED)
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
            payload=_alert_payload(alert),
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
    notice = _alert_content(alert, recipient, escalated=False)
    with translation.override(language_of(recipient.user)):
        return Content(
            subject=_("Nobody acknowledged: %(subject)s") % {"subject": notice.subject},
            body=_(
                "Every tier of the policy %(policy)s was told and nobody acknowledged this "
                "alert. %(body)s"
            )
            % {"policy": alert.policy, "body": notice.body},
        )


# Early warning.


def early_warning_raise(
    *, site: Site, assessment: early_warning.WindowAssessment, now: datetime.datetime | None = None
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
                deadline_at=_deadline(tiers[0], now) if tiers else None,
                details=details,
                raised_at=now,
            )
            if tiers:
                count = _notify_tier(alert, tiers[0], event=WebhookEvent.EARLY_WARNING_RAISED)
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
                        compose=functools.partial(_alert_content, alert, escalated=False),
                        payload=_alert_payload(alert),
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
    counts = early_warning.site_counts(now=now)
    sites = Site.objects.in_bulk([c.site_id for c in counts])
    for site_counts in counts:
        for assessment in early_warning.assess_site(site_counts):
            if assessment.raised:
                raised.extend(
                    early_warning_raise(
                        site=sites[site_counts.site_id], assessment=assessment, now=now
                    )
                )
    return raised


# GBV designations, managed by admins.


def gbv_designation_grant(*, actor: Any, user: User, note: str = "") -> GbvDesignation:
    """Allow the user to see identifying details of their agency's GBV incidents; audited."""
    if not actor.is_superuser and not (
        access.agency_of(actor) is not None
        and actor.role == Role.ADMIN
        and actor.agency_id == user.agency_id
    ):
        raise PermissionDenied
    if user.role not in access.GBV_DESIGNABLE_ROLES:
        raise ValidationError(
            {"user": _("Only staff who work with survivors can be designated, not this role.")}
        )
    with transaction.atomic():
        designation, created = GbvDesignation.objects.get_or_create(
            user=user, defaults={"granted_by": actor, "note": note.strip()}
        )
        if created:
            audit_record(
                actor=actor,
                action="gbv_designation.grant",
                obj=user,
                changes={"gbv_designated": [False, True]},
            )
    return designation


def gbv_designation_revoke(*, actor: Any, user: User) -> bool:
    """Withdraw the user's GBV designation; return whether there was one. Audited."""
    if not actor.is_superuser and not (
        access.agency_of(actor) is not None
        and actor.role == Role.ADMIN
        and actor.agency_id == user.agency_id
    ):
        raise PermissionDenied
    with transaction.atomic():
        deleted, _rows = GbvDesignation.objects.filter(user=user).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="gbv_designation.revoke",
                obj=user,
                changes={"gbv_designated": [True, False]},
            )
    return bool(deleted)
