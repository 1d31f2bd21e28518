"""Models of the cases app: the registry of households and people, and protection casework.

Each concern has its module (registry, casework, plan, referrals, approvals, history); import
the models from here: `from cases.models import Referral`.
"""

# Models register in import order, and the order of a case's reverse relations (what the admin
# lists, what a delete collects first) follows it: keep the order the models always had.
# isort: off
from cases.models.casework import (
    CaseAssessment,
    CaseStatus,
    CaseType,
    ClosureReason,
    DurableSolution,
    ProtectionCase,
    RiskLevel,
)
from cases.models.plan import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    CaseAction,
    CaseFollowUp,
    CaseNote,
    ContactType,
)
from cases.models.referrals import (
    SENT_REFERRAL_STATUSES,
    ConsentBasis,
    ConsentOverride,
    Referral,
    ReferralStatus,
    ReferralUrgency,
    SharedField,
)
from cases.models.approvals import ApprovalKind, ApprovalStatus, CaseApproval

# isort: on
from cases.models.corrections import CorrectionReason, PersonCorrection
from cases.models.erasure import ErasureReason, PersonErasure, PersonOnHold
from cases.models.history import CaseEventText
from cases.models.identity import IdentifierKind, PersonIdentifier, PersonPhoto
from cases.models.imports import (
    ImportColumnMapping,
    ImportRow,
    ImportRowStatus,
    ImportStatus,
    RegistryImport,
)
from cases.models.language import InterpreterSex, Language, Literacy, PersonLanguageNeeds
from cases.models.registry import (
    ConsentGivenBy,
    ConsentScope,
    DisplacedPerson,
    DisplacementStatus,
    DocumentType,
    DuplicateDecision,
    DuplicateReview,
    Household,
    PersonSpecificNeed,
    PersonStatus,
    Relationship,
    Sex,
    SpecificNeed,
    SpecificNeedCategory,
)

__all__ = [
    "ConsentGivenBy",
    "ConsentScope",
    "CorrectionReason",
    "DisplacedPerson",
    "DisplacementStatus",
    "DocumentType",
    "DuplicateDecision",
    "DuplicateReview",
    "ErasureReason",
    "Household",
    "PersonCorrection",
    "PersonErasure",
    "PersonOnHold",
    "PersonSpecificNeed",
    "PersonStatus",
    "Relationship",
    "Sex",
    "SpecificNeed",
    "SpecificNeedCategory",
]
__all__ += ["IdentifierKind", "PersonIdentifier", "PersonPhoto"]
__all__ += ["InterpreterSex", "Language", "Literacy", "PersonLanguageNeeds"]
__all__ += [
    "ImportColumnMapping",
    "ImportRow",
    "ImportRowStatus",
    "ImportStatus",
    "RegistryImport",
]
__all__ += [
    "OPEN_ACTION_STATUSES",
    "SENT_REFERRAL_STATUSES",
    "ActionStatus",
    "ApprovalKind",
    "ApprovalStatus",
    "CaseAction",
    "CaseApproval",
    "CaseAssessment",
    "CaseEventText",
    "CaseFollowUp",
    "CaseNote",
    "CaseStatus",
    "CaseType",
    "ClosureReason",
    "ConsentBasis",
    "ConsentOverride",
    "ContactType",
    "DurableSolution",
    "ProtectionCase",
    "Referral",
    "ReferralStatus",
    "ReferralUrgency",
    "RiskLevel",
    "SharedField",
]
