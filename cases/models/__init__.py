"""Models of the cases app: the registry of households and people, and protection casework."""

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
    "DisplacedPerson",
    "DisplacementStatus",
    "DocumentType",
    "DuplicateDecision",
    "DuplicateReview",
    "Household",
    "PersonSpecificNeed",
    "PersonStatus",
    "Relationship",
    "Sex",
    "SpecificNeed",
    "SpecificNeedCategory",
]
