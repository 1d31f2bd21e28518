"""Writes of the community reporting line: a report received, then triaged by an officer.

A report is received from anyone (the public page, or an agency's SMS or hotline gateway
through the API), with no account: the service is given no actor, and the audit names no
address (the public view runs it in a context without one). It lands, unverified, in the
triage queue of the agencies working at its site. Triage turns it into an incident through the
incident service (the alerts follow as for any report), or closes it with a reason; either way
the reporter's reference then answers "being followed up" or "closed", and nothing more.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Site
from incidents.models import (
    CommunityReport,
    ConcernKind,
    DatePrecision,
    IncidentType,
    InformationSource,
    PerpetratorCategory,
    ReportChannel,
    ReportState,
)
from incidents.reporting.services import IncidentData, incident_report
from protection import access, codes
from protection.accounts.models import User
from protection.audit import audit_record

REFERENCE_PREFIX = "CR"
# How far back a concern may be dated: older ones go to an officer in person.
OLDEST_DAYS = 365
DESCRIPTION_MAX = 2000


@dataclass(frozen=True)
class ConcernData:
    """What a community member gives: what, where, when, and how to reach them if they wish."""

    site: Site
    kind: str
    description: str
    occurred_on: datetime.date
    language: str
    channel: str = ReportChannel.WEB
    contact: str = ""


def _validate(data: ConcernData) -> None:
    errors: dict[str, str] = {}
    if data.kind not in ConcernKind.values:
        errors["kind"] = _("Choose what happened from the list.")
    if not data.description.strip():
        errors["description"] = _("Say what happened, in a few words.")
    elif len(data.description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep it under %(limit)d characters.") % {
            "limit": DESCRIPTION_MAX
        }
    today = timezone.localdate()
    if data.occurred_on > today:
        errors["occurred_on"] = _("The day cannot be in the future.")
    elif data.occurred_on < today - datetime.timedelta(days=OLDEST_DAYS):
        errors["occurred_on"] = _("Report what happened in the last year.")
    if data.channel not in ReportChannel.values:
        errors["channel"] = _("Unknown channel.")
    if errors:
        raise ValidationError(errors)


def community_report_receive(*, data: ConcernData) -> CommunityReport:
    """Record a concern for triage; return it with its reference. Raise ValidationError."""
    _validate(data)
    report = CommunityReport(
        site=data.site,
        kind=data.kind,
        description=data.description.strip(),
        occurred_on=data.occurred_on,
        contact=data.contact.strip(),
        language=data.language[:8],
        channel=data.channel,
    )
    with transaction.atomic():
        codes.save_with_code(report, "reference", REFERENCE_PREFIX)
        audit_record(
            actor=None,
            action="community_report.receive",
            obj=report,
            changes={
                "site": [None, report.site_id],
                "kind": [None, report.kind],
                "channel": [None, report.channel],
                "contact": [None, "given" if report.contact else ""],
            },
        )
    return report


def _may_triage(actor: User, report: CommunityReport) -> None:
    if not access.site_allows_incident_report(actor, report.site):
        raise PermissionDenied
    if report.state != ReportState.RECEIVED:
        raise ValidationError(_("This report has already been triaged."))


@dataclass(frozen=True)
class IncidentChoice:
    """What the officer decides when the report becomes an incident."""

    incident_type: IncidentType
    severity: int
    perpetrator_category: PerpetratorCategory


def community_report_to_incident(
    *, actor: User, report: CommunityReport, choice: IncidentChoice
) -> CommunityReport:
    """Report the concern as an incident (the incident service, its alerts) and link them."""
    _may_triage(actor, report)
    occurred = datetime.datetime.combine(
        report.occurred_on, datetime.time(12), tzinfo=timezone.get_current_timezone()
    )
    with transaction.atomic():
        locked = CommunityReport.objects.select_for_update().get(pk=report.pk)
        _may_triage(actor, locked)
        made = incident_report(
            actor=actor,
            data=IncidentData(
                incident_type=choice.incident_type,
                severity=choice.severity,
                occurred_at=min(occurred, timezone.now()),
                occurred_precision=DatePrecision.DAY,
                perpetrator_category=choice.perpetrator_category,
                source=InformationSource.COMMUNITY_LINE,
                description=locked.description,
                site=locked.site,
            ),
        )
        _triaged(
            actor,
            locked,
            action="community_report.to_incident",
            state=ReportState.FOLLOWED_UP,
            fields={"incident": made.incident},
            audited={"incident": made.incident.pk},
        )
    return locked


def community_report_close(*, actor: User, report: CommunityReport, reason: str) -> CommunityReport:
    """Close the report without an incident, saying why (kept encrypted, audited as given)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the report is closed.")})
    with transaction.atomic():
        locked = CommunityReport.objects.select_for_update().get(pk=report.pk)
        _may_triage(actor, locked)
        _triaged(
            actor,
            locked,
            action="community_report.close",
            state=ReportState.CLOSED,
            fields={"close_reason": reason.strip()},
            # The reason stays encrypted with the report; the audit says only that one was given.
            audited={"close_reason": "given"},
        )
    return locked


def _triaged(
    actor: User,
    locked: CommunityReport,
    *,
    action: str,
    state: str,
    fields: dict[str, Any],
    audited: dict[str, Any],
) -> None:
    """Record the triage decision on the locked report (who, when, what) and audit it."""
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.state = state
    locked.triaged_by = actor
    locked.triaged_at = timezone.now()
    locked.save(update_fields=["state", "triaged_by", "triaged_at", *fields])
    audit_record(
        actor=actor,
        action=action,
        obj=locked,
        changes={"state": [ReportState.RECEIVED, state]}
        | {name: [None, value] for name, value in audited.items()},
    )
