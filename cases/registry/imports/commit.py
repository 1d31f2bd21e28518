"""The commit of an import: register the households and people the dry run accepted.

Batches of whole households, each in one transaction: the households, their people and
specific needs are written as COPY text from what the dry run staged (no model instance, no
second reading of the row), every one is audited in one chained insert (the events point:
import, row number, site, household; never a name), and the rows are marked
imported with their person. That transaction is the checkpoint: a worker killed mid-batch
loses the batch, and the next run takes the rows still marked accepted, so no row is ever
imported twice (and each person is linked to one row, a unique key, as a backstop). A batch
commits without waiting for its flush to disk: a database crash may lose the last batches,
whole, with their rows still accepted, and the resumed import registers them once.
"""

import datetime
import logging
import secrets
from collections import defaultdict
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    DisplacedPerson,
    Household,
    ImportRowStatus,
    ImportStatus,
    PersonSpecificNeed,
    RegistryImport,
)
from cases.registry.headcount import households_registered
from cases.registry.imports.dry_run import ASYNC_COMMIT
from cases.registry.imports.services import (
    MAX_IMPORT_ATTEMPTS,
    check_import_site,
    import_attempt_start,
    import_fail,
    import_lock_release,
    import_lock_try,
)
from cases.registry.imports.staging import Staged, person_columns
from protection import codes
from protection.audit import audit_record, audit_record_rows
from protection.audit_chain import AUDIT_CHAIN, chain_lock
from protection.bulk_insert import copy_lines, csv_line, next_ids

if TYPE_CHECKING:
    from protection.accounts.models import User

logger = logging.getLogger(__name__)

# The pairs travel as two arrays (two parameters, not a VALUES list of thousands).
_MARK_IMPORTED = """
UPDATE cases_importrow AS r SET status = 'imported', person_id = v.person_id, staged = NULL
FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, person_id)
WHERE r.id = v.id AND r.status = 'accepted'
"""
# Which of the codes drawn a row holds already: one array parameter (an IN list of thousands
# of parameters cost more to build and parse than the index read).
_TAKEN = "SELECT {field} FROM {table} WHERE {field} = ANY(%s)"


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
        with connection.cursor() as cursor:
            cursor.execute(_TAKEN.format(field=field, table=model._meta.db_table), [list(wanted)])
            taken = {code for (code,) in cursor.fetchall()}
        drawn |= wanted - taken
    return list(drawn)[:count]


def _next_rows(job: RegistryImport) -> list[Staged]:
    """Return the next accepted rows, whole households, about a batch of them."""
    accepted = (
        job.rows.filter(status=ImportRowStatus.ACCEPTED)
        .order_by("household_ref", "row_number")
        .values_list("pk", "row_number", "household_ref", "staged")
    )
    rows = [Staged.of(*row) for row in accepted[: job.batch_size]]
    if len(rows) == job.batch_size:
        last = rows[-1].household_ref
        seen = {row.pk for row in rows}
        rows += [
            Staged.of(*row) for row in accepted.filter(household_ref=last) if row[0] not in seen
        ]
    return rows


def _household_lines(
    job: RegistryImport, actor_id: int, households: dict[str, list[Staged]], now: str, today: str
) -> tuple[list[int], list[str]]:
    ids = next_ids(Household, len(households))
    fields = [f for f in Household._meta.concrete_fields]
    base = {f.attname: f.get_default() for f in fields} | {
        "site_id": job.site_id,
        "owning_agency_id": job.agency_id,
        "created_by_id": actor_id,
        "created_at": now,
    }
    lines = []
    for pk, code, members in zip(
        ids, _fresh_codes(Household, "code", len(households)), households.values(), strict=True
    ):
        head = next((m for m in members if m.head), members[0])
        values = base | {
            "id": pk,
            "code": code,
            "address": head.address,
            "registered_on": head.registered_on or today,
        }
        lines.append(csv_line([values[f.attname] for f in fields]))
    return ids, lines


def commit_rows(
    job: RegistryImport, rows: list[Staged], *, actor: "User", today: datetime.date
) -> int:
    """Register `rows` (accepted, whole households) as they were staged; return how many.

    Call inside a transaction that holds the import's row lock. Households, people and their
    specific needs go in as COPY text, each person is audited (ids and codes only), and the
    rows are marked imported with their person, in the same transaction.
    """
    if not rows:
        return 0
    now = timezone.now().isoformat()
    households: dict[str, list[Staged]] = defaultdict(list)
    for row in rows:
        households[row.household_ref].append(row)
    household_ids, lines = _household_lines(job, actor.pk, households, now, today.isoformat())
    copy_lines(Household, [f.column for f in Household._meta.concrete_fields], lines)
    person_ids = next_ids(DisplacedPerson, len(rows))
    numbers = _fresh_codes(DisplacedPerson, "registration_number", len(rows))
    people: list[tuple[int, str, int, Staged]] = []
    person_lines, need_lines = [], []
    members = (
        (household_id, row)
        for household_id, group in zip(household_ids, households.values(), strict=True)
        for row in group
    )
    for person_id, number, (household_id, row) in zip(person_ids, numbers, members, strict=True):
        people.append((person_id, number, household_id, row))
        person_lines.append(
            f"{person_id},{number},{household_id},{actor.pk},{actor.pk},{now},{now},{row.person}"
        )
        need_lines += [f"{person_id},{need},{actor.pk},{now}" for need in row.need_ids]
    copy_lines(DisplacedPerson, person_columns(), person_lines)
    copy_lines(
        PersonSpecificNeed, ["person_id", "need_id", "recorded_by_id", "recorded_at"], need_lines
    )
    # Take the audit chain's lock only now, for the inserts and the commit.
    chain_lock(AUDIT_CHAIN, using=connection.alias)
    audit_record_rows(
        actor=actor,
        action="household.register",
        model=Household,
        records=[
            (pk, code, {"registry_import": [None, job.pk], "site": [None, job.site_id]})
            for pk, code in zip(household_ids, _codes_of(lines), strict=True)
        ],
    )
    audit_record_rows(
        actor=actor,
        action="person.register",
        model=DisplacedPerson,
        records=[
            (
                person_id,
                number,
                {
                    "registry_import": [None, job.pk],
                    "import_row": [None, row.row_number],
                    "household": [None, household_id],
                    "site": [None, job.site_id],
                },
            )
            for person_id, number, household_id, row in people
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            _MARK_IMPORTED,
            [[row.pk for *_p, row in people], [person_id for person_id, *_r in people]],
        )
        if cursor.rowcount != len(people):
            raise RuntimeError("Rows of this batch were imported by another run.")
    RegistryImport.objects.filter(pk=job.pk).update(rows_imported=F("rows_imported") + len(people))
    households_registered(
        site_id=job.site_id,
        households=len(households),
        people=len(people),
        household_ids=household_ids,
    )
    return len(people)


def _codes_of(lines: list[str]) -> list[str]:
    """Return the household codes of the household lines (second cell, quoted)."""
    return [line.split(",", 2)[1].strip('"') for line in lines]


def _commit_batch(job: RegistryImport, today: datetime.date) -> int:
    """Import one batch of households in one transaction; return how many rows it imported."""
    with transaction.atomic():
        # The job row's lock orders any two runs of the same import, one batch at a time.
        RegistryImport.objects.select_for_update().filter(pk=job.pk).get()
        with connection.cursor() as cursor:
            cursor.execute(ASYNC_COMMIT)
        return commit_rows(job, _next_rows(job), actor=job.created_by, today=today)


def registry_import_commit(*, import_id: int) -> bool:
    """Import the accepted rows unless another worker runs this import; return whether it ran."""
    if not import_lock_try(import_id):
        return False
    try:
        job = RegistryImport.objects.select_related("created_by", "site", "agency").get(
            pk=import_id
        )
        if job.status != ImportStatus.IMPORTING or not import_attempt_start(job):
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
        today = timezone.localdate()
        try:
            while _commit_batch(job, today):
                pass
        except Exception:
            logger.exception("Import %s failed (attempt %s)", job.pk, job.attempts)
            if job.attempts >= MAX_IMPORT_ATTEMPTS:
                job.refresh_from_db()
                import_fail(job)
                return True
            raise
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
