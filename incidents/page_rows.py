"""The rows of the incident list page, ready to print.

A page of fifty incidents rendered from the models asks the template engine for a display
label three times a row (each one rebuilding the field's choices), a URL and a localised date;
that was most of the page's time. The rows are made here in one pass with the labels looked up
once per page and the links joined from one reversed route; the template prints plain values.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone

from incidents.models import Incident, IncidentStatus, Severity, Verification
from protection.pages import detail_url


@dataclass(frozen=True)
class IncidentRow:
    url: str
    reference: str
    type_label: str
    involves_children: bool
    in_safe_zone: bool
    critical: bool
    severity: str
    occurred: str
    site: str | None
    victims: int
    verification: str
    status: str


def _labels(choices: Sequence[tuple[Any, Any]]) -> dict[Any, str]:
    return {value: str(label) for value, label in choices}


def incident_rows(incidents: list[Incident]) -> list[IncidentRow]:
    """Return the list page's rows for incidents read with their type and site."""
    severity = _labels(Severity.choices)
    verification = _labels(Verification.choices)
    status = _labels(IncidentStatus.choices)
    url = detail_url("incidents:detail")
    type_labels: dict[int, str] = {}
    rows = []
    for incident in incidents:
        type_id = incident.incident_type_id
        if type_id not in type_labels:
            type_labels[type_id] = incident.incident_type.label
        rows.append(
            IncidentRow(
                url=url(incident.pk),
                reference=incident.reference,
                type_label=type_labels[type_id],
                involves_children=incident.involves_children,
                in_safe_zone=incident.safe_zone_id is not None,
                critical=incident.severity == Severity.CRITICAL,
                severity=severity.get(incident.severity, str(incident.severity)),
                occurred=formats.date_format(
                    timezone.localtime(incident.occurred_at), "SHORT_DATE_FORMAT"
                ),
                site=incident.site.name if incident.site is not None else None,
                victims=incident.victim_count,
                verification=verification.get(incident.verification, incident.verification),
                status=status.get(incident.status, incident.status),
            )
        )
    return rows
