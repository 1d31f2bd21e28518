"""What the dry run stages for each row it lets through, and the commit writes as it is.

The dry run reads and checks every row once; for a row that may be registered (accepted, or
held for review) it keeps, with the row, the person's columns already in COPY's CSV form (the
values cases.registry.records.person_fields gives, the registration service's own, with the
name search keys), the household's address and date, the specific needs, and whether the row
is the head. The commit then reads that and writes households and people as text, with no
model instance and no second reading of the row. What only the commit knows is added then:
ids, codes, the household, the officer who registers, the time.
"""

import datetime
from typing import Any, NamedTuple

from cases.models import DisplacedPerson, RegistryImport, Relationship
from cases.registry.imports.rows import CheckedRow
from cases.registry.records import person_fields
from protection.bulk_insert import csv_line

# The person's columns the commit fills, first on each line, in this order.
AT_COMMIT = (
    "id",
    "registration_number",
    "household_id",
    "created_by_id",
    "consent_recorded_by_id",
    "created_at",
    "updated_at",
)


def staged_attnames() -> list[str]:
    """Return the person's columns the dry run stages, in the order of its text."""
    return [f.attname for f in DisplacedPerson._meta.concrete_fields if f.attname not in AT_COMMIT]


def person_columns() -> list[str]:
    """Return the columns of a committed person's line: AT_COMMIT, then the staged ones."""
    by_attname = {f.attname: f.column for f in DisplacedPerson._meta.concrete_fields}
    return [by_attname[name] for name in (*AT_COMMIT, *staged_attnames())]


class Staged(NamedTuple):
    """A row ready to commit, as the commit reads it back."""

    pk: int
    row_number: int
    household_ref: str
    person: str  # the staged columns, as CSV
    address: str
    registered_on: str  # ISO date, or "" for the day of the commit
    need_ids: list[int]
    head: bool

    @classmethod
    def of(cls, pk: int, row_number: int, household_ref: str, staged: Any) -> "Staged":
        return cls(pk, row_number, household_ref, *staged)


class Stager:
    """Turn the checked rows of one import into their staged form."""

    def __init__(self, job: RegistryImport) -> None:
        fields = {f.attname: f for f in DisplacedPerson._meta.concrete_fields}
        self.attnames = staged_attnames()
        self.base = {name: fields[name].get_default() for name in self.attnames}
        self.base |= {"site_id": job.site_id, "owning_agency_id": job.agency_id}

    def stage(self, row: CheckedRow) -> list[Any]:
        """Return what the commit needs of a valid row (JSON: a list)."""
        data = row.data
        assert data is not None and row.born is not None, row.row_number
        values = self.base | person_fields(data, born=row.born, estimated=row.estimated)
        registered: datetime.date | None = row.registered_on
        return [
            csv_line([values[name] for name in self.attnames]),
            row.address.strip(),
            registered.isoformat() if registered else "",
            [need.pk for need in data.specific_needs],
            data.relationship_to_head == Relationship.HEAD,
        ]
