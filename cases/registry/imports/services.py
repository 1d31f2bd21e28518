"""Every write of a bulk import: upload a file, map its columns, start the dry run and the
commit, and put back on the queue the imports whose worker died.

The dry run and the commit themselves run in Celery (cases.registry.imports.dry_run and
.commit); a service here only records what is asked and queues the task by name when its
transaction commits, so that services never import a tasks module.
"""

import io
import json
from typing import TYPE_CHECKING

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from camps.models import Site
from cases.models import (
    ImportColumnMapping,
    ImportRowStatus,
    ImportStatus,
    RegistryImport,
)
from cases.registry.imports.columns import (
    BY_NAME,
    guess_mapping,
    header_key,
    missing_columns,
)
from cases.registry.imports.files import read_upload
from cases.registry.records import check_site_open
from protection import access
from protection.access import Action
from protection.audit import audit_record

if TYPE_CHECKING:
    from protection.accounts.models import User

DRY_RUN_TASK = "cases.tasks.registry_import_dry_run"
COMMIT_TASK = "cases.tasks.registry_import_commit"
# Advisory lock namespace ("impt"): held by the worker running an import, for its session.
LOCK_NAMESPACE = 0x696D7074
DEFAULT_BATCH_SIZE = 5000
# Runs of one step (dry run or commit) that may start before the import is marked failed: a
# worker killed now and then resumes, a step that fails on a bug every time stops here.
MAX_IMPORT_ATTEMPTS = 3


def stage_rows(import_id: int, rows: list[list[str]]) -> None:
    """Keep the file's rows (numbered from 2, the header being row 1) in one COPY stream.

    Written straight from the parsed cells, without a model instance per row: a file of
    20,000 rows spent most of its upload building and serialising ImportRow objects.
    """
    buffer = io.StringIO()
    write = buffer.write
    for number, cells in enumerate(rows, start=2):
        values = json.dumps(cells, ensure_ascii=False).replace('"', '""')
        write(f'{import_id},{number},"{values}","","{ImportRowStatus.PENDING}","{{}}","[]",""\n')
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY cases_importrow (registry_import_id, row_number, values, household_ref,"
            " status, errors, duplicates, review_reason) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )


def _enqueue(task: str, import_id: int) -> None:
    transaction.on_commit(lambda: current_app.send_task(task, args=[import_id]))


def remembered_mapping(agency_id: int) -> dict[str, str]:
    """Return what this agency's earlier files called each column (by compared header)."""
    return dict(
        ImportColumnMapping.objects.filter(agency_id=agency_id).values_list("header", "field_name")
    )


def missing_message(missing: list[str]) -> str:
    labels = ", ".join(str(BY_NAME[name].label) for name in missing)
    return _("The file has no column for: %(columns)s.") % {"columns": labels}


def registry_import_upload(
    *,
    actor: "User",
    site: Site,
    file_name: str,
    data: bytes,
    mapping: dict[str, str] | None = None,
    allow_mapping_later: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> RegistryImport:
    """Read an uploaded file and keep its rows for the dry run; nothing is registered yet.

    The columns map themselves from the agency's earlier choices and the template's headers,
    then from `mapping` (header -> field). Raise ValidationError when the file cannot be read,
    or when required columns are missing and the officer cannot map them later.
    """
    check_import_site(actor, site)
    agency = access.agency_of(actor)
    if agency is None:
        raise PermissionDenied
    parsed = read_upload(file_name, data)
    guessed = guess_mapping(parsed.headers, remembered_mapping(agency.pk))
    if mapping:
        guessed = _checked_mapping(parsed.headers, {**guessed, **mapping})
    missing = missing_columns(guessed)
    unmapped = [header for header, field in guessed.items() if not field]
    if missing and not (allow_mapping_later and unmapped):
        raise ValidationError({"file": [missing_message(missing)]})
    with transaction.atomic():
        job = RegistryImport.objects.create(
            agency=agency,
            site=site,
            created_by=actor,
            file_name=file_name[-200:],
            headers=parsed.headers,
            mapping=guessed,
            total_rows=len(parsed.rows),
            batch_size=max(1, batch_size),
        )
        stage_rows(job.pk, parsed.rows)
        audit_record(
            actor=actor,
            action="registry_import.upload",
            obj=job,
            changes={"site": [None, site.pk], "status": [None, job.status]},
        )
    return job


def _checked_mapping(headers: list[str], mapping: dict[str, str]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    unknown = [h for h in mapping if h not in headers]
    if unknown:
        errors["mapping"] = [
            _("The file has no column %(header)s.") % {"header": ", ".join(unknown)}
        ]
    fields = [field for field in mapping.values() if field]
    bad = [field for field in fields if field not in BY_NAME]
    if bad:
        errors.setdefault("mapping", []).append(
            _("%(field)s is not a field of the template.") % {"field": ", ".join(bad)}
        )
    if len(set(fields)) != len(fields):
        errors.setdefault("mapping", []).append(_("Two columns are mapped to the same field."))
    if errors:
        raise ValidationError(errors)
    return {header: mapping.get(header, "") for header in headers}


def registry_import_map(
    *, actor: "User", registry_import: RegistryImport, mapping: dict[str, str]
) -> RegistryImport:
    """Set which field each column of the file fills; remember it for the agency's next files."""
    _require_own(actor, registry_import)
    if registry_import.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
        raise ValidationError({"mapping": [_("This import is past its dry run.")]})
    checked = _checked_mapping(registry_import.headers, mapping)
    missing = missing_columns(checked)
    if missing:
        raise ValidationError({"mapping": [missing_message(missing)]})
    with transaction.atomic():
        registry_import.mapping = checked
        registry_import.status = ImportStatus.UPLOADED
        registry_import.save(update_fields=["mapping", "status"])
        for header, field in checked.items():
            ImportColumnMapping.objects.update_or_create(
                agency_id=registry_import.agency_id,
                header=header_key(header)[:200],
                defaults={"field_name": field},
            )
        audit_record(
            actor=actor,
            action="registry_import.map",
            obj=registry_import,
            changes={"mapping": [None, sorted(f for f in checked.values() if f)]},
        )
    return registry_import


def check_import_site(actor: "User", site: Site) -> None:
    """Refuse an import into a site the actor's agency does not work in, or a closed one."""
    access.require(actor, Action.IMPORT_PEOPLE)
    if not access.sites_for(actor).filter(pk=site.pk).exists():
        raise PermissionDenied
    check_site_open(site)


def _require_own(actor: "User", registry_import: RegistryImport) -> None:
    access.require(actor, Action.IMPORT_PEOPLE)
    if registry_import.agency_id != actor.agency_id:
        raise PermissionDenied


def registry_import_dry_run_start(
    *, actor: "User", registry_import: RegistryImport
) -> RegistryImport:
    """Queue the dry run: every row checked, every problem and likely duplicate reported."""
    _require_own(actor, registry_import)
    if registry_import.status not in (ImportStatus.UPLOADED, ImportStatus.VALIDATED):
        raise ValidationError({"status": [_("This import is past its dry run.")]})
    missing = missing_columns(registry_import.mapping)
    if missing:
        raise ValidationError({"mapping": [missing_message(missing)]})
    with transaction.atomic():
        registry_import.status = ImportStatus.VALIDATING
        registry_import.rows_checked = 0
        registry_import.attempts = 0
        registry_import.error = ""
        registry_import.save(update_fields=["status", "rows_checked", "attempts", "error"])
        audit_record(
            actor=actor,
            action="registry_import.dry_run",
            obj=registry_import,
            changes={"status": [ImportStatus.UPLOADED, ImportStatus.VALIDATING]},
        )
        _enqueue(DRY_RUN_TASK, registry_import.pk)
    return registry_import


def registry_import_commit_start(
    *, actor: "User", registry_import: RegistryImport
) -> RegistryImport:
    """Queue the import of the rows the dry run accepted."""
    _require_own(actor, registry_import)
    if registry_import.status != ImportStatus.VALIDATED:
        raise ValidationError({"status": [_("Run the dry run before importing.")]})
    check_import_site(actor, registry_import.site)
    with transaction.atomic():
        registry_import.status = ImportStatus.IMPORTING
        registry_import.rows_to_import = registry_import.rows.filter(
            status=ImportRowStatus.ACCEPTED
        ).count()
        registry_import.attempts = 0
        registry_import.save(update_fields=["status", "rows_to_import", "attempts"])
        audit_record(
            actor=actor,
            action="registry_import.commit",
            obj=registry_import,
            changes={"status": [ImportStatus.VALIDATED, ImportStatus.IMPORTING]},
        )
        _enqueue(COMMIT_TASK, registry_import.pk)
    return registry_import


def import_lock_try(import_id: int) -> bool:
    """Take the import's session lock: held while a worker runs it, gone when the worker dies."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, import_id])
        return bool(cursor.fetchone()[0])


def import_lock_release(import_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, import_id])


def import_attempt_start(job: RegistryImport) -> bool:
    """Count one more run of the import's current step; return False, and mark the import
    failed, when the step has already started MAX_IMPORT_ATTEMPTS times without finishing."""
    with transaction.atomic():
        locked = RegistryImport.objects.select_for_update().get(pk=job.pk)
        if locked.attempts >= MAX_IMPORT_ATTEMPTS:
            import_fail(locked)
            return False
        locked.attempts += 1
        locked.save(update_fields=["attempts"])
    job.attempts = locked.attempts
    return True


def import_fail(job: RegistryImport) -> None:
    """Mark a running import failed after its step kept stopping; the officer sees why."""
    step = job.status
    if step not in (ImportStatus.VALIDATING, ImportStatus.IMPORTING):
        return
    if step == ImportStatus.VALIDATING:
        message = _(
            "The dry run stopped on an unexpected error %(count)s times and will not be tried "
            "again. Nothing was registered. Please tell your administrator."
        )
    else:
        message = _(
            "The import stopped on an unexpected error %(count)s times and will not be tried "
            "again. The rows counted as imported are registered. Please tell your administrator."
        )
    with transaction.atomic():
        job.status = ImportStatus.FAILED
        job.error = (message % {"count": job.attempts})[:300]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        audit_record(
            actor=None,
            action="registry_import.failed",
            obj=job,
            changes={"status": [step, ImportStatus.FAILED], "attempts": [None, job.attempts]},
        )


def registry_imports_resume() -> int:
    """Queue again each running import that no worker holds (its worker died); return how many.

    A worker holds an import's advisory lock for as long as its database session lives, so a
    lock we can take means nobody runs the import. The task checks the lock again before it
    works; an import queued twice runs once.
    """
    queued = 0
    running = RegistryImport.objects.filter(
        status__in=[ImportStatus.VALIDATING, ImportStatus.IMPORTING]
    ).values_list("pk", "status")
    for import_id, status in running:
        if not import_lock_try(import_id):
            continue
        try:
            job = RegistryImport.objects.get(pk=import_id)
            if job.attempts >= MAX_IMPORT_ATTEMPTS:
                import_fail(job)
                continue
        finally:
            import_lock_release(import_id)
        task = DRY_RUN_TASK if status == ImportStatus.VALIDATING else COMMIT_TASK
        current_app.send_task(task, args=[import_id])
        queued += 1
    return queued
