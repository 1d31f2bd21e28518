"""Writes of drills: a supervisor starts one, its simulated incidents run the real chain, it ends.

Starting a drill reports its simulated incidents through the incident service itself, so the
policies, tiers, recipients, deliveries and escalations are the real ones; each incident carries
the drill, which marks every message DRILL (incidents.alerts.notices) and keeps it out of every
live surface (incidents.scopes). Acknowledging a drill alert is the ordinary alert_acknowledge.
The audit records ids and codes only, never the scenario's text.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Site
from incidents.models import (
    Drill,
    IncidentType,
    InformationSource,
    PerpetratorCategory,
    Severity,
)
from incidents.reporting.services import IncidentData, incident_report
from protection import access, codes
from protection.access import Action
from protection.accounts.models import User
from protection.audit import audit_record

DRILL_PREFIX = "DR"
MAX_INCIDENTS = 5
SCENARIO_MAX = 200


@dataclass(frozen=True)
class DrillPlan:
    """What the supervisor chooses: where, what the simulated incidents pretend, how many."""

    site: Site
    scenario: str
    incident_type: IncidentType
    severity: int
    incidents: int = 1


def _validate(actor: User, plan: DrillPlan) -> None:
    errors: dict[str, str] = {}
    if not plan.scenario.strip():
        errors["scenario"] = _("Say in a few words what the drill simulates.")
    elif len(plan.scenario) > SCENARIO_MAX:
        errors["scenario"] = _("Keep it under %(limit)d characters.") % {"limit": SCENARIO_MAX}
    if plan.severity not in Severity.values:
        errors["severity"] = _("Choose a severity from the list.")
    if not 1 <= plan.incidents <= MAX_INCIDENTS:
        errors["incidents"] = _("A drill simulates between 1 and %(limit)d incidents.") % {
            "limit": MAX_INCIDENTS
        }
    if not plan.incident_type.active:
        errors["incident_type"] = _("This incident type is no longer in use.")
    if errors:
        raise ValidationError(errors)
    if not access.site_allows_incident_report(actor, plan.site):
        raise ValidationError({"site": _("Your agency does not work at this site.")})


def _perpetrator() -> PerpetratorCategory:
    category = (
        PerpetratorCategory.objects.filter(active=True, code="unknown").first()
        or PerpetratorCategory.objects.filter(active=True).order_by("pk").first()
    )
    if category is None:
        raise ValidationError(_("The perpetrator categories are missing; ask an administrator."))
    return category


def drill_start(*, actor: User, plan: DrillPlan) -> Drill:
    """Start a drill and report its simulated incidents: their alerts go out marked DRILL.

    Raise PermissionDenied when the actor may not run drills, ValidationError for bad input
    (nothing is written).
    """
    access.require(actor, Action.MANAGE_INCIDENTS)
    if actor.agency_id is None:
        raise PermissionDenied
    _validate(actor, plan)
    perpetrator = _perpetrator()
    now = timezone.now()
    with transaction.atomic():
        drill = Drill(
            agency_id=actor.agency_id,
            site=plan.site,
            scenario=plan.scenario.strip(),
            started_by=actor,
            started_at=now,
        )
        codes.save_with_code(drill, "reference", DRILL_PREFIX)
        references = []
        for _number in range(plan.incidents):
            made = incident_report(
                actor=actor,
                data=IncidentData(
                    incident_type=plan.incident_type,
                    severity=plan.severity,
                    occurred_at=now - datetime.timedelta(minutes=1),
                    perpetrator_category=perpetrator,
                    source=InformationSource.DIRECT_OBSERVATION,
                    description=_("DRILL: simulated incident, not a real event."),
                    site=plan.site,
                ),
                drill=drill,
            )
            references.append(made.incident.reference)
        audit_record(
            actor=actor,
            action="drill.start",
            obj=drill,
            changes={
                "site": [None, plan.site.pk],
                "incident_type": [None, plan.incident_type.pk],
                "severity": [None, plan.severity],
                "incidents": [None, references],
            },
        )
    return drill


def drill_end(*, actor: User, drill: Drill) -> Drill:
    """End a running drill; ending it again changes nothing. Alerts still open stay open and
    keep escalating, so that the report shows what the chain did with them."""
    access.require(actor, Action.MANAGE_INCIDENTS)
    if drill.agency_id != actor.agency_id:
        raise PermissionDenied
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        if locked.ended_at is None:
            locked.ended_at = max(timezone.now(), locked.started_at)
            locked.ended_by = actor
            locked.save(update_fields=["ended_at", "ended_by"])
            audit_record(
                actor=actor,
                action="drill.end",
                obj=locked,
                changes={"ended_at": [None, locked.ended_at.isoformat()]},
            )
    return locked
