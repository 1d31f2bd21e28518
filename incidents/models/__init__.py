"""Models of the incidents app: incidents as reported, escalation policies, and their alerts."""

from incidents.models.alerts import Alert, AlertKind, AlertStatus
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

__all__ = [
    "Alert",
    "AlertKind",
    "AlertStatus",
    "DatePrecision",
    "EscalationPolicy",
    "EscalationTier",
    "GbvDesignation",
    "Incident",
    "IncidentStatus",
    "IncidentTaxonomy",
    "IncidentType",
    "IncidentVictim",
    "InformationSource",
    "PerpetratorCategory",
    "PolicyTrigger",
    "RecipientKind",
    "Severity",
    "TierRecipient",
    "Verification",
]
