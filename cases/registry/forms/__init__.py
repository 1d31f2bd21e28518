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
