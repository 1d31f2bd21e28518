"""What incidents add to a person's data-subject report: the incidents naming them as a victim.

Only incidents whose identifying details the officer may see (protection.access's
incident_detail_allowed: the reporting agency, and for a restricted type its GBV-designated
staff): anyone else sees the incident anonymised, and listing it here would say who the
victim was. Registered in the report from IncidentsConfig.ready().
"""

from typing import TYPE_CHECKING

from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, IncidentStatus, Verification
from protection import access
from protection.subject_report import (
    SectionContent,
    SubjectSection,
    coded,
    register_subject_section,
)

if TYPE_CHECKING:
    from protection.accounts.models import User


def person_incidents(user: "User", person: Model) -> SectionContent:
    """Return the incidents the person is recorded as a victim of, that the user may detail."""
    candidates = (
        access.incidents_for(user)
        .filter(victims__id=person.pk)
        .select_related("incident_type", "site", "reporting_agency")
        .order_by("-occurred_at", "-id")
    )
    incidents: list[Incident] = [
        incident for incident in candidates if access.incident_detail_allowed(user, incident)
    ]
    rows = [
        {
            "reference": incident.reference,
            "incident_type": {
                "code": incident.incident_type.code,
                "label": str(incident.incident_type),
            },
            "occurred_at": incident.occurred_at,
            "site": incident.site.name if incident.site is not None else "",
            "reporting_agency": incident.reporting_agency.name,
            "status": coded(incident.status, IncidentStatus.choices),
            "verification": coded(incident.verification, Verification.choices),
            "role": coded("victim", [("victim", _("Recorded as a victim"))]),
        }
        for incident in incidents
    ]
    return SectionContent(rows=rows, read=incidents)


def register() -> None:
    """Add the incidents naming the person to every data-subject report."""
    register_subject_section(
        SubjectSection(
            key="incidents",
            title=_("Incidents the person is linked to"),
            template="incidents/subject_incidents.html",
            order=30,
            build=person_incidents,
        )
    )
