"""The access policy for a record's history: which agency owns a record the logs name.

The audit trail and the access log file a record by type and id. An agency administrator may
read the history of the records their agency owns, whoever read them (a partner who read a
referral, say), and nothing of a record another agency owns, which answers as if it did not
exist. Part of protection.access, kept apart so that the policy module stays readable.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from django.apps import apps

from protection.access import agency_of
from protection.accounts.services import is_agency_admin

if TYPE_CHECKING:
    from protection.accounts.models import User

# The records whose reads are logged, and the field that names the agency owning each.
OWNER_FIELDS: dict[str, str] = {
    "cases.displacedperson": "owning_agency_id",
    "cases.household": "owning_agency_id",
    "cases.protectioncase": "owning_agency_id",
    "cases.referral": "from_agency_id",
    "incidents.incident": "reporting_agency_id",
}

# What an administrator types to name a record: a code, number or reference, as printed.
CODE_FIELDS: dict[str, str] = {
    "cases.displacedperson": "registration_number",
    "cases.household": "code",
    "cases.protectioncase": "case_number",
    "cases.referral": "code",
    "incidents.incident": "reference",
}


class RecordRef(NamedTuple):
    """A record as the logs name it."""

    object_type: str
    object_id: str

    @classmethod
    def parse(cls, text: str) -> "RecordRef | None":
        """Read "app.model:id" (as the admin's record filter writes it); None if malformed."""
        object_type, _sep, object_id = text.partition(":")
        if object_type not in OWNER_FIELDS or not object_id.isdigit():
            return None
        return cls(object_type, object_id)

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id}"


def owned_records(user: "User", records: Iterable[RecordRef]) -> list[RecordRef]:
    """Return those of `records` the user's agency owns, if the user may read histories."""
    agency = agency_of(user)
    if agency is None or not is_agency_admin(user):
        return []
    owned: list[RecordRef] = []
    for record in records:
        model = apps.get_model(record.object_type)
        owner = OWNER_FIELDS[record.object_type]
        if model._default_manager.filter(pk=int(record.object_id), **{owner: agency.pk}).exists():
            owned.append(record)
    return owned


def records_named(term: str) -> list[RecordRef]:
    """Return the records whose code, number or reference is `term` (any agency's)."""
    from protection.codes import (
        CASE_PREFIX,
        HOUSEHOLD_PREFIX,
        PERSON_PREFIX,
        REFERRAL_PREFIX,
        canonical_code,
    )

    typed = term.strip()
    if not typed:
        return []
    prefixes = (PERSON_PREFIX, HOUSEHOLD_PREFIX, CASE_PREFIX, REFERRAL_PREFIX)
    code = canonical_code(typed, prefixes) or typed.upper()
    found: list[RecordRef] = []
    for object_type, field in CODE_FIELDS.items():
        model = apps.get_model(object_type)
        for pk in model._default_manager.filter(**{field: code}).values_list("pk", flat=True)[:1]:
            found.append(RecordRef(object_type, str(pk)))
    return found
