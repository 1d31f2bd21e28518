"""The two representations of an incident: anonymised (anyone who may see the incident, webhook
payloads, alert notices, partners) and full (the reporting agency's staff the policy allows).

Which one a user gets is decided in incidents.reporting.selectors (incident_views_for); this
module only builds them, so that reporting and alerts can both render an incident without
importing each other.
"""

import datetime
import decimal
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils import timezone

from camps.models import Site
from cases.models import DisplacedPerson, ProtectionCase
from incidents.models import (
    Incident,
    IncidentStatus,
    IncidentType,
    InformationSource,
    PerpetratorCategory,
    Severity,
    Verification,
)
from partners.models import PartnerAgency

if TYPE_CHECKING:
    from protection.accounts.models import User


@dataclass(frozen=True)
class VictimCounts:
    female_children: int
    male_children: int
    female_adults: int
    male_adults: int
    sex_or_age_unknown: int

    @property
    def total(self) -> int:
        return (
            self.female_children
            + self.male_children
            + self.female_adults
            + self.male_adults
            + self.sex_or_age_unknown
        )


@dataclass(frozen=True)
class AnonymisedIncident:
    """What anyone who may see an incident sees: nothing that could identify a victim."""

    full: ClassVar[bool] = False

    pk: int
    reference: str
    incident_type: IncidentType
    severity: int
    occurred_on: datetime.date
    site: Site | None
    counts: VictimCounts
    involves_children: bool
    verification: str
    status: str
    reported_on: datetime.date
    # The event the incident was linked to with other reports of it (incidents.events).
    event: int | None = field(default=None, kw_only=True)
    # The safe zone the incident happened in (an attack on a protected place), if any.
    safe_zone_id: int | None = None

    @property
    def severity_label(self) -> str:
        return str(Severity(self.severity).label)

    @property
    def verification_label(self) -> str:
        return str(Verification(self.verification).label)

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.status).label)

    def as_data(self) -> dict[str, Any]:
        """Return the representation as plain JSON-ready values (webhooks, exports)."""
        return {
            "id": self.pk,
            "reference": self.reference,
            "type": self.incident_type.code,
            "type_name": self.incident_type.name,
            "taxonomy": self.incident_type.taxonomy,
            "severity": self.severity,
            "occurred_on": self.occurred_on.isoformat(),
            "site": {"id": self.site.pk, "code": self.site.code, "name": self.site.name}
            if self.site is not None
            else None,
            "victims": {**asdict(self.counts), "total": self.counts.total},
            "involves_children": self.involves_children,
            "verification": self.verification,
            "status": self.status,
            "reported_on": self.reported_on.isoformat(),
            "safe_zone": self.safe_zone_id,
            "anonymised": True,
        }


@dataclass(frozen=True)
class FullIncident(AnonymisedIncident):
    """Everything recorded, for the reporting agency's staff allowed to see it."""

    full: ClassVar[bool] = True

    occurred_at: datetime.datetime = field(kw_only=True)
    occurred_precision: str = field(kw_only=True)
    reported_at: datetime.datetime = field(kw_only=True)
    latitude: decimal.Decimal | None = field(kw_only=True)
    longitude: decimal.Decimal | None = field(kw_only=True)
    admin1: str = field(kw_only=True)
    admin2: str = field(kw_only=True)
    location_detail: str = field(kw_only=True)
    victims: list[DisplacedPerson] = field(kw_only=True)
    perpetrator_category: PerpetratorCategory = field(kw_only=True)
    source: str = field(kw_only=True)
    description: str = field(kw_only=True)
    actions_taken: str = field(kw_only=True)
    reported_by: "User" = field(kw_only=True)
    reporting_agency: PartnerAgency = field(kw_only=True)
    linked_case: ProtectionCase | None = field(kw_only=True)

    @property
    def source_label(self) -> str:
        return str(InformationSource(self.source).label)


IncidentView = AnonymisedIncident | FullIncident


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def anonymised_values(incident: Incident) -> dict[str, Any]:
    return {
        "pk": incident.pk,
        "reference": incident.reference,
        "incident_type": incident.incident_type,
        "severity": incident.severity,
        "occurred_on": _local_date(incident.occurred_at),
        "site": incident.site,
        "counts": VictimCounts(
            female_children=incident.female_children,
            male_children=incident.male_children,
            female_adults=incident.female_adults,
            male_adults=incident.male_adults,
            sex_or_age_unknown=incident.sex_or_age_unknown,
        ),
        "involves_children": incident.involves_children,
        "verification": incident.verification,
        "status": incident.status,
        "reported_on": _local_date(incident.reported_at),
        "event": incident.event_id,
        "safe_zone_id": incident.safe_zone_id,
    }


def incident_anonymised(incident: Incident) -> AnonymisedIncident:
    """Return the anonymised representation, whoever asks (webhooks, alerts, partners)."""
    return AnonymisedIncident(**anonymised_values(incident))
