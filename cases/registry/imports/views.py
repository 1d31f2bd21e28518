"""Pages of the bulk import: upload, map the columns, dry run, commit, progress, report, and
the review of the rows held as possible duplicates.

The dry run and the commit run in Celery; the page shows a progress bar that
static/js/import-progress.js moves by polling the status URL (no inline script).
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import ImportStatus
from cases.registry.imports import review, selectors, services
from cases.registry.imports.columns import missing_columns
from cases.registry.imports.files import template_csv, template_xlsx
from cases.registry.imports.forms import (
    ImportMappingForm,
    ImportRowDiscardForm,
    ImportUploadForm,
)
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_importer(request: AuthenticatedHttpRequest) -> None:
    if not access.can(request.user, Action.IMPORT_PEOPLE):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the agency's imports and take a new file."""
    _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.registry_import_upload(
                actor=request.user,
                site=form.cleaned_data["site"],
                file_name=upload.name,
                data=upload.read(),
                allow_mapping_later=True,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("File received. Check the columns, then run the dry run."))
            return redirect("cases:import_detail", pk=job.pk)
    imports = selectors.registry_import_list(user=request.user)[:50]
    return render(request, "cases/imports/import_list.html", {"form": form, "imports": imports})


@login_required
@require_GET
def import_template_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Download the template's header row in the user's language, as CSV."""
    _require_importer(request)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="registry-import-template.csv"'
    return response


@login_required
@require_GET
def import_template_xlsx(request: AuthenticatedHttpRequest) -> FileResponse:
    """Download the template in the user's language, with the reference codes on sheet 2."""
    _require_importer(request)
    buffer = io.BytesIO()
    template_xlsx(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename="registry-import-template.xlsx", content_type=XLSX
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show an import: its columns to map, its progress, its report; POST saves the mapping."""
    _require_importer(request)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    mapping_form = ImportMappingForm(request.POST or None, registry_import=job)
    if request.method == "POST" and mapping_form.is_valid():
        try:
            services.registry_import_map(
                actor=request.user, registry_import=job, mapping=mapping_form.mapping()
            )
        except ValidationError as error:
            add_service_errors(mapping_form, error)
        else:
            messages.success(request, _("Columns saved; your agency's next files will use them."))
            return redirect("cases:import_detail", pk=job.pk)
    context = {
        "job": job,
        "mapping_form": mapping_form,
        "missing": _missing(job.mapping),
        "counts": selectors.row_counts(job),
        "problems": [
            (row, selectors.describe_problems(row)) for row in selectors.problem_rows(job)
        ],
        "running": job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING),
    }
    return render(request, "cases/imports/import_detail.html", context)


def _missing(mapping: dict[str, str]) -> str:
    missing = missing_columns(mapping)
    return services.missing_message(missing) if missing else ""


def _start(request: AuthenticatedHttpRequest, pk: int, commit: bool) -> HttpResponse:
    _require_importer(request)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    start = (
        services.registry_import_commit_start if commit else services.registry_import_dry_run_start
    )
    try:
        start(actor=request.user, registry_import=job)
    except ValidationError as error:
        for texts in error.message_dict.values():
            for text in texts:
                messages.error(request, text)
    return redirect("cases:import_detail", pk=job.pk)


@login_required
@require_POST
def import_dry_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, commit=False)


@login_required
@require_POST
def import_commit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _start(request, pk, commit=True)


@login_required
@require_GET
def import_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """Answer the progress bar's poll."""
    _require_importer(request)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "percent": job.progress_percent,
            "running": job.status in (ImportStatus.VALIDATING, ImportStatus.IMPORTING),
        }
    )


@login_required
@require_GET
def import_report(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    """Download the row report: accepted, refused with reasons, held as duplicates."""
    _require_importer(request)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    response = StreamingHttpResponse(
        selectors.report_lines(job), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


@login_required
@require_GET
def import_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """List the rows held as possible duplicates, each with its candidates and a decision."""
    _require_importer(request)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    if not review.can_review(request.user, job):
        raise PermissionDenied
    context = {
        "job": job,
        "counts": selectors.row_counts(job),
        "held": selectors.held_rows(job),
        "reviewable": job.status in review.REVIEW_STATUSES,
        "discard_form": ImportRowDiscardForm(),
    }
    return render(request, "cases/imports/import_review.html", context)


def _decided(
    request: AuthenticatedHttpRequest, pk: int, row_number: int, discard: bool
) -> HttpResponse:
    _require_importer(request)
    job = selectors.registry_import_get(user=request.user, pk=pk)
    if not review.can_review(request.user, job):
        raise PermissionDenied
    try:
        if discard:
            form = ImportRowDiscardForm(request.POST)
            if not form.is_valid():
                for problem in form.errors.get("reason", []):
                    messages.error(request, str(problem))
                return redirect("cases:import_review", pk=job.pk)
            review.import_row_discard(
                actor=request.user,
                registry_import=job,
                row_number=row_number,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Row %(row)s discarded.") % {"row": row_number})
        else:
            row = review.import_row_release(
                actor=request.user, registry_import=job, row_number=row_number
            )
            messages.success(
                request,
                _("Row %(row)s registered as %(code)s.")
                % {"row": row_number, "code": row.person.registration_number if row.person else ""},
            )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("cases:import_review", pk=job.pk)


@login_required
@require_POST
def import_row_release(request: AuthenticatedHttpRequest, pk: int, row_number: int) -> HttpResponse:
    return _decided(request, pk, row_number, discard=False)


@login_required
@require_POST
def import_row_discard(request: AuthenticatedHttpRequest, pk: int, row_number: int) -> HttpResponse:
    return _decided(request, pk, row_number, discard=True)
