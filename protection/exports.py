"""Exports of the apps' lists: who may export what, the access log, and background exports.

An export is aggregated by default: the dataset's figures, small counts suppressed. One row per
record (individual level) needs a role allowed to export (Action.EXPORT_INDIVIDUAL) and a
purpose from a fixed list; every record written is access-logged under that purpose, a chunk
at a time, before its rows leave (ids only, never values). Narratives never leave: the apps'
listings hold no free-text field.

Small exports stream in the response; an individual export of more than EXPORT_STREAM_MAX_ROWS
rows is written by a worker to a file under EXPORT_DIR, with its progress in a DataExport row,
downloadable by its owner until it expires (EXPORT_FILE_HOURS) and is deleted by beat. A run
holds a lease on the row, renewed per chunk; the sweep queues again an export whose lease lapsed
(its worker died), and the next run writes the file from the start, under a name of its own that
is renamed only when complete, so that a partial file is never served.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery import current_app
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from protection import access
from protection.audit import access_log_record, audit_record, bound_context, current_context
from protection.datasets import (
    Dataset,
    figures_columns,
    figures_rows,
    figures_table,
    filtered,
    listing_chunks,
)
from protection.exporting import EXTENSIONS, Column, ExportFormat, csv_chunks, xlsx_write
from protection.models import EXPORT_PURPOSES, DataExport, ExportLevel, ExportStatus
from protection.roles import Action

if TYPE_CHECKING:
    from protection.accounts.models import User

DATA_EXPORT_RUN = "protection.tasks.data_export_run"


def export_dir() -> Path:
    path = Path(settings.EXPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class ExportPlan:
    """A checked request for an export: what, how, why, and how many rows it will hold."""

    dataset: Dataset
    level: str
    file_format: str
    purpose: str
    filters: dict[str, Any] = field(default_factory=dict)
    rows: int = 0

    @property
    def in_background(self) -> bool:
        return self.level == ExportLevel.INDIVIDUAL and self.rows > settings.EXPORT_STREAM_MAX_ROWS

    @property
    def file_name(self) -> str:
        day = timezone.localdate().isoformat()
        return (
            f"{self.dataset.name}-{self.level}-{day}.{EXTENSIONS[ExportFormat(self.file_format)]}"
        )


def may_export_individually(user: User | None, dataset: Dataset) -> bool:
    return dataset.listing is not None and access.can(user, Action.EXPORT_INDIVIDUAL)


def export_plan(
    *,
    user: User,
    dataset: Dataset,
    level: str,
    file_format: str,
    purpose: str = "",
    filters: Mapping[str, Any] | None = None,
) -> ExportPlan:
    """Check an export request; raise ValidationError by field, PermissionDenied or Http404."""
    if not access.can(user, dataset.view_action) and not access.can(user, Action.VIEW_AGGREGATES):
        raise Http404
    errors: dict[str, list[str]] = {}
    if file_format not in ExportFormat.values:
        errors["file_format"] = [_("Choose a format from the list.")]
    if level == ExportLevel.AGGREGATED:
        if dataset.figures is None:
            errors["level"] = [_("This list has no figures; export it one row per record.")]
        purpose = ""
    elif level == ExportLevel.INDIVIDUAL:
        if dataset.listing is None:
            errors["level"] = [_("This list can only be exported as figures.")]
        elif not may_export_individually(user, dataset):
            raise PermissionDenied
        if purpose not in EXPORT_PURPOSES:
            errors["purpose"] = [_("Say why you export these records: choose a purpose.")]
    else:
        errors["level"] = [_("Choose figures or one row per record.")]
    clean = {name: value for name, value in (filters or {}).items() if value not in ("", None)}
    rows = 0
    if not errors:
        try:
            rows = _count(user, dataset, level, clean)
        except ValueError as error:
            errors.update(getattr(error, "errors", {"filters": [str(error)]}))
    if errors:
        raise ValidationError(errors)
    return ExportPlan(dataset, level, file_format, purpose, clean, rows)


def _count(user: User, dataset: Dataset, level: str, filters: dict[str, Any]) -> int:
    if level == ExportLevel.INDIVIDUAL:
        assert dataset.listing is not None
        return filtered(dataset, dataset.listing.rows(user), filters, user=user).count()
    assert dataset.figures is not None
    filtered(
        dataset, dataset.figures.rows(user), filters, user=user
    )  # checks the filters, no query
    return 0


def _record(*, user: User, plan: ExportPlan, status: str) -> DataExport:
    """Save the export's row and its audit event (field names of the filters, not values)."""
    export = DataExport.objects.create(
        user=user,
        dataset=plan.dataset.name,
        level=plan.level,
        file_format=plan.file_format,
        purpose=plan.purpose,
        filters=plan.filters if status == ExportStatus.QUEUED else {},
        status=status,
        rows_total=plan.rows,
        finished_at=None if status == ExportStatus.QUEUED else timezone.now(),
    )
    audit_record(
        actor=user,
        action=f"export.{plan.level}",
        obj=export,
        changes={
            "dataset": [None, plan.dataset.name],
            "file_format": [None, plan.file_format],
            "purpose": [None, plan.purpose],
            "filters": [None, sorted(plan.filters)],
        },
    )
    return export


def export_table(
    user: User, plan: ExportPlan, *, progress: Any = None
) -> tuple[tuple[Column, ...], Iterator[Any]]:
    """Return the columns and the rows of the export, the rows read and logged lazily."""
    if plan.level == ExportLevel.AGGREGATED:
        assert plan.dataset.figures is not None
        table = figures_table(plan.dataset, user=user, filters=plan.filters)
        return figures_columns(plan.dataset.figures), figures_rows(table, total_label=_("Total"))
    listing = plan.dataset.listing
    assert listing is not None
    queryset = filtered(plan.dataset, listing.rows(user), plan.filters, user=user)

    meta = listing.model._meta

    def rows() -> Iterator[Any]:
        done = 0
        for chunk in listing_chunks(queryset, listing.fields):
            # Log before the rows leave; a reference (type and id) is all the log reads, and
            # building a whole model instance per row would cost more than the row itself.
            refs = [RecordRef(pk=row[0], _meta=meta) for row in chunk]
            access_log_record(user=user, objects=refs, purpose=plan.purpose)  # type: ignore[arg-type]
            yield from listing.render_chunk(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)

    return listing.columns, rows()


@dataclass(frozen=True, slots=True)
class RecordRef:
    """What the access log reads of a record: its id and its model's metadata."""

    pk: Any
    _meta: Any


def export_stream(*, user: User, plan: ExportPlan) -> Iterator[bytes] | Path:
    """Record the export and return its CSV/HXL bytes as a lazy stream, or an XLSX file path.

    The stream writes the access log as it goes, under the context of the request that asked.
    """
    _record(user=user, plan=plan, status=ExportStatus.READY)
    columns, rows = export_table(user, plan)
    hxl = plan.file_format == ExportFormat.HXL
    if plan.file_format == ExportFormat.XLSX:
        path = export_dir() / f"stream-{timezone.now():%Y%m%d%H%M%S%f}-{user.pk}.xlsx"
        xlsx_write(path, columns, rows, title=str(plan.dataset.title))
        return path
    context = current_context()

    def chunks() -> Iterator[bytes]:
        with bound_context(context):
            yield from csv_chunks(columns, rows, hxl=hxl)

    return chunks()


def export_job_start(*, user: User, plan: ExportPlan) -> DataExport:
    """Record a background export and queue it once the transaction commits."""
    with transaction.atomic():
        export = _record(user=user, plan=plan, status=ExportStatus.QUEUED)
        transaction.on_commit(lambda: _enqueue(export.pk))
    return export


def _enqueue(export_id: int) -> None:
    try:
        current_app.send_task(DATA_EXPORT_RUN, args=(export_id,), retry=False)
    except Exception:  # beat's sweep queues what is still waiting
        return


class LeaseLost(Exception):
    """The export was taken from this run (its lease lapsed and another run started)."""


def _claim(export_id: int) -> DataExport | None:
    """Take a queued export, or a running one whose lease lapsed; None when it is not ours."""
    now = timezone.now()
    with transaction.atomic():
        export = DataExport.objects.select_for_update().select_related("user").get(pk=export_id)
        if export.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
            return None
        if export.status == ExportStatus.RUNNING and (export.lease_until or now) > now:
            return None  # another worker holds it and is alive
        export.status = ExportStatus.RUNNING
        export.attempts += 1
        export.rows_done = 0
        export.lease_until = now + datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)
        export.save(update_fields=["status", "attempts", "rows_done", "lease_until"])
    # What an earlier run left half written is never served, and never kept.
    for stale in export_dir().glob(f"export-{export.pk}-*.part"):
        stale.unlink(missing_ok=True)
    return export


def _ours(export: DataExport) -> Any:
    """The running export, as long as this run still holds it (same attempt, still running)."""
    return DataExport.objects.filter(
        pk=export.pk, status=ExportStatus.RUNNING, attempts=export.attempts
    )


def export_job_run(*, export_id: int) -> DataExport:
    """Write a queued export's file, from the start (safe to run twice; see exports_sweep).

    The file is written under a name of this run's own (.part) and renamed once complete, so
    that a download never gets a partial file; each chunk renews the run's lease, and a run
    whose lease was taken over stops and removes its own file.
    """
    from protection.datasets import dataset as dataset_named

    export = _claim(export_id)
    if export is None:
        return DataExport.objects.get(pk=export_id)
    plan = ExportPlan(
        dataset_named(export.dataset),
        export.level,
        export.file_format,
        export.purpose,
        dict(export.filters),
        export.rows_total,
    )
    extension = EXTENSIONS[ExportFormat(plan.file_format)]
    path = export_dir() / f"export-{export.pk}.{extension}"
    part = export_dir() / f"export-{export.pk}-{export.attempts}.part"
    lease = datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)

    def progress(done: int) -> None:
        if not _ours(export).update(rows_done=done, lease_until=timezone.now() + lease):
            raise LeaseLost

    try:
        columns, rows = export_table(export.user, plan, progress=progress)
        if plan.file_format == ExportFormat.XLSX:
            xlsx_write(part, columns, rows, title=str(plan.dataset.title))
        else:
            with part.open("wb") as handle:
                for chunk in csv_chunks(columns, rows, hxl=plan.file_format == ExportFormat.HXL):
                    handle.write(chunk)
    except LeaseLost:
        part.unlink(missing_ok=True)
        return DataExport.objects.get(pk=export.pk)
    except Exception:
        part.unlink(missing_ok=True)
        _ours(export).update(
            status=ExportStatus.FAILED, filters={}, lease_until=None, finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    with transaction.atomic():
        if not _ours(export).select_for_update().exists():
            part.unlink(missing_ok=True)
            return DataExport.objects.get(pk=export.pk)
        part.replace(path)
        _ours(export).update(
            status=ExportStatus.READY,
            file_name=path.name,
            filters={},
            lease_until=None,
            finished_at=now,
            expires_at=now + datetime.timedelta(hours=settings.EXPORT_FILE_HOURS),
        )
    export.refresh_from_db()
    return export


def export_get(*, user: User, pk: int) -> DataExport:
    """Return one of the user's own exports, or 404 (nobody sees another person's export)."""
    try:
        return DataExport.objects.get(pk=pk, user=user)
    except DataExport.DoesNotExist:
        raise Http404 from None


def export_file(*, user: User, pk: int) -> tuple[DataExport, Path]:
    """Return the user's ready, unexpired export and its file, or 404."""
    export = export_get(user=user, pk=pk)
    if export.status != ExportStatus.READY or not export.file_name:
        raise Http404
    if export.expires_at is None or export.expires_at <= timezone.now():
        raise Http404
    path = export_dir() / export.file_name
    if not path.exists():
        raise Http404
    return export, path


def exports_sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete expired export files, queue again the exports left waiting or left running by a
    worker that died (lease lapsed; failed after EXPORT_MAX_ATTEMPTS runs); return the files
    deleted."""
    now = now or timezone.now()
    deleted = 0
    for export in DataExport.objects.filter(status=ExportStatus.READY, expires_at__lte=now):
        if export.file_name:
            (export_dir() / export.file_name).unlink(missing_ok=True)
            deleted += 1
        DataExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.EXPIRED, file_name="", filters={}
        )
    lapsed = DataExport.objects.filter(status=ExportStatus.RUNNING, lease_until__lte=now)
    for export in lapsed.filter(attempts__gte=settings.EXPORT_MAX_ATTEMPTS):
        for part in export_dir().glob(f"export-{export.pk}-*.part"):
            part.unlink(missing_ok=True)
        DataExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.FAILED, filters={}, lease_until=None, finished_at=now
        )
    stale = now - datetime.timedelta(minutes=2)
    waiting = DataExport.objects.filter(status=ExportStatus.QUEUED, created_at__lte=stale)
    for export_id in [
        *waiting.values_list("pk", flat=True),
        *lapsed.filter(attempts__lt=settings.EXPORT_MAX_ATTEMPTS).values_list("pk", flat=True),
    ]:
        _enqueue(export_id)
    return deleted
