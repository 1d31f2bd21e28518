"""Every write about an incident itself: report it, move its response forward.

Reporting is one transaction: the incident, an alert for each matching escalation policy, and
one delivery row per recipient and channel of the first tier (the outbox). The delivery tasks
are enqueued when that transaction commits; if the broker is down then, the sweeper sends the
rows later. An alert's content is the anonymised incident only, whoever receives it. The alerts
themselves are incidents.alerts; GBV designations are incidents.reporting.designations.
"""

import datetime
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Site
from cases.models import DisplacedPerson, ProtectionCase, Sex
from incidents.alerts.services import incident_alerts_raise
from incidents.models import (
    Alert,
    DatePrecision,
    Drill,
    Incident,
    IncidentStatus,
    IncidentTaxonomy,
    IncidentType,
    IncidentVictim,
    InformationSource,
    PerpetratorCategory,
    Severity,
    Verification,
)
from incidents.reporting.selectors import incident_anonymised, incident_webhook_recipients
from incidents.zones.selectors import safe_zone_at
from protection import access, codes, edits
from protection.access import Action
from protection.audit import MASK, audit_record, diff, snapshot
from protection.dates import age_on
from protection.notifications.models import WebhookEvent
from protection.notifications.services.outbox import Content, deliveries_queue

if TYPE_CHECKING:
    from protection.accounts.models import User

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
    "safe_zone",
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


def _validate(actor: "User", data: IncidentData, now: datetime.datetime) -> None:
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


def _audit_changes(incident: Incident, before: dict[str, Any] | None = None) -> dict[str, Any]:
    changes = diff(before or {}, snapshot(incident, _AUDITED_FIELDS))
    if incident.incident_type.restricted:
        changes = {
            name: ([MASK, MASK] if name in _IDENTIFYING_FIELDS else value)
            for name, value in changes.items()
        }
    return changes


def incident_report(
    *, actor: "User", data: IncidentData, drill: Drill | None = None
) -> IncidentReport:
    """Record an incident, raise its alerts and queue their first deliveries, in one transaction.

    A drill's simulated incident (`drill`, from incidents.drills) runs the same alert chain,
    marked DRILL; it is not announced to the partners' webhooks, whose systems would take it
    for a real event.

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
            # An attack inside a safe zone is flagged as such, from the place or its site.
            safe_zone=safe_zone_at(latitude=data.latitude, longitude=data.longitude, site=site),
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
            drill=drill,
            **counts,
        )
        codes.save_with_code(incident, "reference", codes.INCIDENT_PREFIX)
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
        if drill is not None:
            changes["drill"] = [None, drill.pk]
        audit_record(actor=actor, action="incident.report", obj=incident, changes=changes)
        alerts = incident_alerts_raise(incident=incident, now=now)
        recipients = incident_webhook_recipients(incident) if drill is None else []
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


def incident_editable_values(incident: Incident) -> dict[str, Any]:
    """Return the response fields as an edit's base holds them (decrypted, comparable)."""
    return edits.comparable_all({name: getattr(incident, name) for name in _UPDATABLE})


def incident_update(
    *,
    actor: "User",
    incident: Incident,
    status: str | None = None,
    verification: str | None = None,
    actions_taken: str | None = None,
    base: Mapping[str, Any] | None = None,
) -> Incident:
    """Move the incident's response forward: status, verification, actions taken; audited.

    With a `base` (the values the editor started from), each field is merged three ways
    (protection.edits): a field changed both here and, meanwhile, on the server to another
    value raises EditConflict, after auditing the refusal by field names; nothing is saved.
    Without one, the fields given are written as given (an API client's explicit PATCH).
    """
    if not access.incidents_for(actor).filter(pk=incident.pk).exists():
        raise PermissionDenied
    if not access.incident_manage_allowed(actor, incident):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if status is not None and status not in IncidentStatus.values:
        errors["status"] = _("Choose a valid status.")
    if verification is not None and verification not in Verification.values:
        errors["verification"] = _("Choose a verification status.")
    submitted = {
        name: value
        for name, value in (
            ("status", status),
            ("verification", verification),
            ("actions_taken", None if actions_taken is None else actions_taken.strip()),
        )
        if value is not None
    }
    if base is not None and set(submitted) - set(base):
        errors["base"] = _("Give the base value of every field you change.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # The row locked, so that two saves from the same base cannot both pass the merge.
        locked = Incident.objects.select_for_update(of=("self",)).get(pk=incident.pk)
        for name in _UPDATABLE:
            setattr(incident, name, getattr(locked, name))
        before = snapshot(incident, _AUDITED_FIELDS)
        current = incident_editable_values(incident)
        outcome = (
            edits.merge(base=base, current=current, submitted=submitted)
            if base is not None
            else edits.Merge(changes=submitted, conflicts=[])
        )
        conflict = None
        if outcome.conflicts:
            conflict = edits.EditConflict(outcome.conflicts, current)
            audit_record(
                actor=actor,
                action="incident.edit_conflict",
                obj=incident,
                changes=edits.conflict_audit(conflict.fields),
            )
        else:
            for name, value in outcome.changes.items():
                setattr(incident, name, value)
            changes = _audit_changes(incident, before)
            if changes:
                incident.save(update_fields=[*_UPDATABLE, "updated_at"])
                audit_record(actor=actor, action="incident.update", obj=incident, changes=changes)
    if conflict is not None:
        raise conflict
    return incident
