"""Server-rendered pages of the registry: people, households and registration."""

from cases.registry.views.households import household_detail, household_list, household_relocate
from cases.registry.views.people import person_detail, person_edit, person_list, person_status
from cases.registry.views.registration import household_add_member, household_register

__all__ = [
    "household_add_member",
    "household_detail",
    "household_list",
    "household_register",
    "household_relocate",
    "person_detail",
    "person_edit",
    "person_list",
    "person_status",
]
