"""The dry run of an import: check every row, find likely duplicates, record each row's fate.

Nothing is registered here. Each row ends accepted, refused (its problems by column) or held
for review as a possible duplicate (its matches and scores); a household goes as one: a
member refused refuses it, a member held holds it. The rows are written batch by batch, each
batch committed with the progress, so that the page's progress bar moves.
"""

import io
import json
import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import ImportRowStatus, ImportStatus, RegistryImport
from cases.registry.blocking import scope_where
from cases.registry.imports.ahead import reads_ahead, results
from cases.registry.imports.columns import cells_by_field, row_cells
from cases.registry.imports.dedupe import (
    Match,
    fetch_blocks,
    file_matches,
    letters_held_for,
    registry_probes,
    scored_matches,
)
from cases.registry.imports.rows import CheckedRow, References, check_households, read_row
from cases.registry.imports.services import (
    MAX_IMPORT_ATTEMPTS,
    import_attempt_start,
    import_fail,
    import_lock_release,
    import_lock_try,
)
from cases.registry.imports.staging import Stager
from protection import access
from protection.audit import audit_record

logger = logging.getLogger(__name__)

# Each batch's fates go to the server in one COPY stream and land in one UPDATE.
_FATES_TABLE = """
CREATE TEMP TABLE import_row_fates (
    id bigint, status varchar(20), errors jsonb, duplicates jsonb, household_ref varchar(100),
    staged jsonb
) ON COMMIT DROP
"""
_UPDATE_ROWS = """
UPDATE cases_importrow AS r
SET status = v.status, errors = v.errors, duplicates = v.duplicates,
    household_ref = v.household_ref, staged = v.staged
FROM import_row_fates AS v
WHERE r.id = v.id
"""
# A batch is its own checkpoint; a server crash that loses the last ones loses them whole
# (each with its progress), and the dry run is run again: no flush to disk per batch.
ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF"
# Rows checked against the registry by one blocking statement. Smaller parts let this thread
# take up a part the second connection has not started (ahead.Read) rather than wait.
PROBES_PER_STATEMENT = 500


def _csv_text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def write_fates(lines: list[tuple[Any, ...]]) -> None:
    """Record each row's fate (id, status, errors, duplicates, household, staged) in one
    UPDATE."""
    buffer = io.StringIO()
    for pk, status, errors, duplicates, household_ref, staged in lines:
        buffer.write(
            f"{pk},{_csv_text(status)},{_csv_text(errors)},{_csv_text(duplicates)},"
            f"{_csv_text(household_ref)},{_csv_text(staged)}\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(_FATES_TABLE)
        cursor.cursor.copy_expert("COPY import_row_fates FROM STDIN WITH (FORMAT csv)", buffer)
        cursor.execute(_UPDATE_ROWS)
        # Dropped at once, not only at commit: a second batch in the same transaction (a
        # caller's outer atomic block) makes its own.
        cursor.execute("DROP TABLE import_row_fates")


def checked_rows(job: RegistryImport) -> Iterator[tuple[int, CheckedRow]]:
    """Read each stored row of the import through the column mapping; yield (row id, row)."""
    refs = References.load()
    today = timezone.localdate()
    columns = cells_by_field(job)
    stored = job.rows.order_by("row_number").values_list("pk", "row_number", "values")
    for pk, number, values in stored.iterator(chunk_size=5000):
        yield pk, read_row(number, row_cells(values, columns), refs, today)


def household_batches(
    rows: Sequence[tuple[int, CheckedRow]], size: int
) -> Iterator[list[tuple[int, CheckedRow]]]:
    """Yield batches of about `size` rows that never split a household."""
    households: dict[str, list[tuple[int, CheckedRow]]] = defaultdict(list)
    for entry in rows:
        households[entry[1].household_ref or f"\x00{entry[1].row_number}"].append(entry)
    batch: list[tuple[int, CheckedRow]] = []
    for members in households.values():
        batch += members
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _fates(
    batch: list[tuple[int, CheckedRow]], matches: dict[int, list[Match]], stager: Stager
) -> list[tuple[Any, ...]]:
    held_households: dict[str, list[int]] = defaultdict(list)
    for _pk, row in batch:
        if not row.errors and row.row_number in matches:
            held_households[row.household_ref].append(row.row_number)
    lines = []
    for pk, row in batch:
        found = [m.as_json() for m in matches.get(row.row_number, [])]
        errors = row.errors
        if errors:
            status = ImportRowStatus.REFUSED
        elif held_households.get(row.household_ref):
            status = ImportRowStatus.DUPLICATE
            if not found:
                errors = {
                    "household_ref": [
                        _("Held with its household: row %(rows)s may be a duplicate.")
                        % {"rows": ", ".join(map(str, held_households[row.household_ref]))}
                    ]
                }
        else:
            status = ImportRowStatus.ACCEPTED
        staged = None if status == ImportRowStatus.REFUSED else stager.stage(row)
        lines.append(
            (pk, status, _json(errors), _json(found), row.household_ref[:100], _json(staged))
        )
    return lines


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def registry_import_dry_run(*, import_id: int) -> bool:
    """Run the dry run of an import unless another worker runs it; return whether it ran."""
    if not import_lock_try(import_id):
        return False
    try:
        job = RegistryImport.objects.select_related("created_by").get(pk=import_id)
        if job.status != ImportStatus.VALIDATING or not import_attempt_start(job):
            return False
        try:
            _dry_run(job)
        except Exception:
            # Logged with its traceback for the administrator; the officer sees only that it
            # failed. The import stays in its step, queued again until its attempts run out.
            logger.exception("Dry run of import %s failed (attempt %s)", job.pk, job.attempts)
            if job.attempts >= MAX_IMPORT_ATTEMPTS:
                job.refresh_from_db()
                import_fail(job)
                return True
            raise
        return True
    finally:
        import_lock_release(import_id)


def _dry_run(job: RegistryImport) -> None:
    actor = job.created_by
    rows = list(checked_rows(job))
    check_households([row for _pk, row in rows], timezone.localdate())
    visible = access.people_for(actor)
    checked = 0
    stager = Stager(job)
    batches = list(household_batches(rows, job.batch_size))
    # The scope compiled once, here: the reads, in two threads, then share no queryset.
    scope = scope_where(visible)
    among = visible if scope is None else scope
    held = letters_held_for([row for _pk, row in rows if not row.errors])
    with reads_ahead(ahead=scope is not None) as submit:
        # Every batch's blocking statements are asked for first: they run on the second
        # connection while the rows are compared within the file, scored and written here
        # (a part not yet started when its batch comes up runs here instead).
        checks = []
        for batch in batches:
            probes = registry_probes([row for _pk, row in batch if not row.errors], held)
            parts = range(0, len(probes), PROBES_PER_STATEMENT)
            reads = [
                submit(fetch_blocks, probes[i : i + PROBES_PER_STATEMENT], among) for i in parts
            ]
            checks.append((probes, reads))
        in_file = file_matches([row for _pk, row in rows if not row.errors])
        for batch, (probes, reads) in zip(batches, checks, strict=True):
            matches = dict(in_file)
            blocks = [block for part in results(reads) for block in part]
            for number, found in scored_matches(probes, blocks).items():
                matches[number] = sorted([*found, *matches.get(number, [])], key=lambda m: -m.score)
            lines = _fates(batch, matches, stager)
            checked += len(batch)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(ASYNC_COMMIT)
                write_fates(lines)
                RegistryImport.objects.filter(pk=job.pk).update(rows_checked=checked)
    with transaction.atomic():
        job.refresh_from_db()
        job.status = ImportStatus.VALIDATED
        job.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="registry_import.validated",
            obj=job,
            changes={"status": [ImportStatus.VALIDATING, ImportStatus.VALIDATED]},
        )
