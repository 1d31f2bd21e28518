"""The commit of an import: register the households and people the dry run accepted.

Batches of whole households, each in one transaction: the households, their people and
specific needs are inserted with bulk_create, every one is audited in one chained insert (the
events point: import, row number, site, household; never a name), and the rows are marked
imported with their person. That transaction is the checkpoint: a worker killed mid-batch
loses the batch, and the next run takes the rows still marked accepted, so no row is ever
imported twice (and each person is linked to one row, a unique key, as a backstop). A batch
commits without waiting for its flush to disk: a database crash may lose the last batches,
whole, with their rows still accepted, and the resumed import registers them once.
"""

import datetime
import secrets
from collections import defaultdict
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from cases.models import (
    DisplacedPerson,
    Household,
    ImportRowStatus,
    ImportStatus,
    PersonSpecificNeed,
    RegistryImport,
    Relationship,
)
from cases.registry.headcount import households_registered
from cases.registry.imports.dry_run import ASYNC_COMMIT
from cases.registry.imports.rows import CheckedRow, References, read_row
from cases.registry.imports.services import (
    cells_by_field,
    check_import_site,
    import_lock_release,
    import_lock_try,
    row_cells,
)
from cases.registry.records import person_from
from protection import codes
from protection.audit import audit_record, audit_record_bulk
from protection.audit_chain import AUDIT_CHAIN, chain_lock
from protection.bulk_insert import copy_insert

_MARK_IMPORTED = """
UPDATE cases_importrow AS r SET status = 'imported', person_id = v.person_id
FROM (VALUES %s) AS v(id, person_id) WHERE r.id = v.id AND r.status = 'accepted'
"""


def _new_codes(prefix: str, count: int) -> set[str]:
    """Draw `count` random codes of the form codes.new_code gives, from one read of the OS's
    random source (40 random bits each) instead of eight reads per code."""
    drawn = secrets.token_bytes(5 * count)
    made = set()
    for start in range(0, len(drawn), 5):
        number = int.from_bytes(drawn[start : start + 5], "big")
        body = "".join(codes.ALPHABET[(number >> shift) & 31] for shift in range(35, -1, -5))
        made.add(f"{prefix}-{body[:4]}-{body[4:]}")
    return made


def _fresh_codes(
    model: type[Household] | type[DisplacedPerson], field: str, count: int
) -> list[str]:
    """Draw `count` codes that no row holds yet (one indexed read per batch)."""
    prefix = codes.HOUSEHOLD_PREFIX if model is Household else codes.PERSON_PREFIX
    drawn: set[str] = set()
    while len(drawn) < count:
        wanted = _new_codes(prefix, count - len(drawn)) - drawn
        taken = set(
            model._default_manager.filter(**{f"{field}__in": wanted}).values_list(field, flat=True)
        )
        drawn |= wanted - taken
    return list(drawn)[:count]


class _Staged(NamedTuple):
    """A row of the file waiting to be imported."""

    pk: int
    row_number: int
    values: list[str]
    household_ref: str


def _next_rows(job: RegistryImport) -> list[_Staged]:
    """Return the next accepted rows, whole households, about a batch of them."""
    accepted = (
        job.rows.filter(status=ImportRowStatus.ACCEPTED)
        .order_by("household_ref", "row_number")
        .values_list("pk", "row_number", "values", "household_ref")
    )
    rows = [_Staged(*row) for row in accepted[: job.batch_size]]
    if len(rows) == job.batch_size:
        last = rows[-1].household_ref
        seen = {row.pk for row in rows}
        rows += [_Staged(*row) for row in accepted.filter(household_ref=last) if row[0] not in seen]
    return rows


def _commit_batch(job: RegistryImport, refs: References, today: datetime.date) -> int:
    """Import one batch of households in one transaction; return how many rows it imported."""
    actor = job.created_by
    columns = cells_by_field(job)
    now = timezone.now()
    with transaction.atomic():
        # The job row's lock orders any two runs of the same import, one batch at a time.
        RegistryImport.objects.select_for_update().filter(pk=job.pk).get()
        with connection.cursor() as cursor:
            cursor.execute(ASYNC_COMMIT)
        rows = _next_rows(job)
        if not rows:
            return 0
        checked: dict[str, list[tuple[_Staged, CheckedRow]]] = defaultdict(list)
        for row in rows:
            result = read_row(row.row_number, row_cells(row.values, columns), refs, today)
            checked[row.household_ref].append((row, result))
        household_codes = _fresh_codes(Household, "code", len(checked))
        households = []
        for code, members in zip(household_codes, checked.values(), strict=True):
            head = next(
                (
                    c
                    for _r, c in members
                    if c.data and c.data.relationship_to_head == Relationship.HEAD
                ),
                members[0][1],
            )
            households.append(
                Household(
                    code=code,
                    site=job.site,
                    address=head.address.strip(),
                    registered_on=head.registered_on or today,
                    owning_agency=job.agency,
                    created_by=actor,
                )
            )
        copy_insert(Household, households, now=now)
        people: list[DisplacedPerson] = []
        sources: list[tuple[_Staged, CheckedRow]] = []
        for household, members in zip(households, checked.values(), strict=True):
            for row, result in members:
                assert result.data is not None and result.born is not None, row.row_number
                person = person_from(
                    result.data,
                    actor=actor,
                    household=household,
                    born=result.born,
                    estimated=result.estimated,
                )
                people.append(person)
                sources.append((row, result))
        for person, code in zip(
            people, _fresh_codes(DisplacedPerson, "registration_number", len(people)), strict=True
        ):
            person.registration_number = code
        copy_insert(DisplacedPerson, people, now=now)
        needs = [
            PersonSpecificNeed(person=person, need=need, recorded_by=actor)
            for person, (_row, result) in zip(people, sources, strict=True)
            for need in (result.data.specific_needs if result.data else [])
        ]
        copy_insert(PersonSpecificNeed, needs, now=now)
        # Take the audit chain's lock only now, for the inserts and the commit.
        chain_lock(AUDIT_CHAIN, using=connection.alias)
        audit_record_bulk(
            actor=actor,
            action="household.register",
            objects=households,
            changes=[
                {"registry_import": [None, job.pk], "site": [None, job.site_id]}
                for _household in households
            ],
        )
        audit_record_bulk(
            actor=actor,
            action="person.register",
            objects=people,
            changes=[
                {
                    "registry_import": [None, job.pk],
                    "import_row": [None, row.row_number],
                    "household": [None, person.household_id],
                    "site": [None, job.site_id],
                }
                for person, (row, _result) in zip(people, sources, strict=True)
            ],
        )
        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                _MARK_IMPORTED,
                [(row.pk, person.pk) for person, (row, _r) in zip(people, sources, strict=True)],
                page_size=len(people),
            )
            if cursor.cursor.rowcount != len(people):
                raise RuntimeError("Rows of this batch were imported by another run.")
        RegistryImport.objects.filter(pk=job.pk).update(
            rows_imported=F("rows_imported") + len(people)
        )
        households_registered(site_id=job.site_id, households=len(households), people=len(people))
    return len(people)


def registry_import_commit(*, import_id: int) -> bool:
    """Import the accepted rows unless another worker runs this import; return whether it ran."""
    if not import_lock_try(import_id):
        return False
    try:
        job = RegistryImport.objects.select_related("created_by", "site", "agency").get(
            pk=import_id
        )
        if job.status != ImportStatus.IMPORTING:
            return False
        try:
            check_import_site(job.created_by, job.site)
        except (PermissionDenied, ValidationError):
            RegistryImport.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED,
                error=_("The site is closed or no longer one of your agency's."),
                finished_at=timezone.now(),
            )
            return True
        refs, today = References.load(), timezone.localdate()
        while _commit_batch(job, refs, today):
            pass
        with transaction.atomic():
            job.refresh_from_db()
            job.status = ImportStatus.DONE
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "finished_at"])
            audit_record(
                actor=job.created_by,
                action="registry_import.done",
                obj=job,
                changes={"status": [ImportStatus.IMPORTING, ImportStatus.DONE]},
            )
        return True
    finally:
        import_lock_release(import_id)
