"""Models of the incidents app: incidents as reported, escalation policies, and their alerts."""

from incidents.models.alerts import Alert, AlertKind, AlertStatus
from incidents.models.community import (
    CommunityReport,
    ConcernKind,
    ReportChannel,
    ReportState,
)
from incidents.models.drills import Drill
from incidents.models.events import IncidentEvent, event_key
from incidents.models.policies import (
    EscalationPolicy,
    EscalationTier,
    PolicyTrigger,
    RecipientKind,
    TierRecipient,
)
from incidents.models.reporting import (
    DatePrecision,
    GbvDesignation,
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
from incidents.models.zones import (
    Corridor,
    CorridorStatus,
    CorridorStatusChange,
    CorridorSubscription,
    SafeZone,
)

__all__ = [
    "Alert",
    "AlertKind",
    "AlertStatus",
    "CommunityReport",
    "ConcernKind",
    "Corridor",
    "CorridorStatus",
    "CorridorStatusChange",
    "CorridorSubscription",
    "DatePrecision",
    "Drill",
    "EscalationPolicy",
    "EscalationTier",
    "GbvDesignation",
    "Incident",
    "IncidentEvent",
    "IncidentStatus",
    "IncidentTaxonomy",
    "IncidentType",
    "IncidentVictim",
    "InformationSource",
    "PerpetratorCategory",
    "PolicyTrigger",
    "RecipientKind",
    "ReportChannel",
    "ReportState",
    "SafeZone",
    "Severity",
    "TierRecipient",
    "Verification",
    "event_key",
]
