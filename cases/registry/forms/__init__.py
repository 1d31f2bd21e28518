"""Forms of the registry pages: registration, editing, status, relocation and search."""

from cases.registry.forms.choices import RegistryChoices
from cases.registry.forms.households import (
    HouseholdForm,
    HouseholdRelocateForm,
    HouseholdSearchForm,
    MemberFormSet,
)
from cases.registry.forms.people import (
    MemberForm,
    PersonEditForm,
    PersonSearchForm,
    PersonStatusForm,
)
from cases.registry.forms.subject import PersonCorrectionForm, SubjectReportPurposeForm

__all__ = [
    "HouseholdForm",
    "HouseholdRelocateForm",
    "HouseholdSearchForm",
    "MemberForm",
    "MemberFormSet",
    "PersonCorrectionForm",
    "PersonEditForm",
    "PersonSearchForm",
    "PersonStatusForm",
    "RegistryChoices",
    "SubjectReportPurposeForm",
]
