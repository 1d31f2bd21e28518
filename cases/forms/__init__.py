"""Forms of the registry pages: registration, editing, status, relocation and search."""

from cases.forms.choices import RegistryChoices
from cases.forms.households import (
    HouseholdForm,
    HouseholdRelocateForm,
    HouseholdSearchForm,
    MemberFormSet,
)
from cases.forms.people import MemberForm, PersonEditForm, PersonSearchForm, PersonStatusForm

__all__ = [
    "HouseholdForm",
    "HouseholdRelocateForm",
    "HouseholdSearchForm",
    "MemberForm",
    "MemberFormSet",
    "PersonEditForm",
    "PersonSearchForm",
    "PersonStatusForm",
    "RegistryChoices",
]
