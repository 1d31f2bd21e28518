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
from protection.codes import canonical_code

if TYPE_CHECKING:
    from protection.accounts.models import User

# The records whose reads are logged, and the field that names the agency owning each;
# what an administrator types to name one (a code, number or reference, as printed); and the
# prefix its code carries, if any. Each app registers its records from AppConfig.ready().
OWNER_FIELDS: dict[str, str] = {}
CODE_FIELDS: dict[str, str] = {}
_CODE_PREFIXES: list[str] = []


def register_record(
    object_type: str, owner_field: str, code_field: str, prefix: str | None = None
) -> None:
    """Make a record's history readable by the agency that owns it, and findable by its code."""
    OWNER_FIELDS[object_type] = owner_field
    CODE_FIELDS[object_type] = code_field
    if prefix is not None and prefix not in _CODE_PREFIXES:
        _CODE_PREFIXES.append(prefix)


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
    typed = term.strip()
    if not typed:
        return []
    code = canonical_code(typed, tuple(_CODE_PREFIXES)) or typed.upper()
    found: list[RecordRef] = []
    for object_type, field in CODE_FIELDS.items():
        model = apps.get_model(object_type)
        for pk in model._default_manager.filter(**{field: code}).values_list("pk", flat=True)[:1]:
            found.append(RecordRef(object_type, str(pk)))
    return found
