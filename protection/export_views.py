"""The export pages: choose the format, level and purpose of an export of a list, follow a
background export's progress, download its file while it lasts.

The export page is reached from a list page's Export button, with the list's filters in its
query string: the export holds what the list showed (protection.exports does the checking).
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from protection import access
from protection.accounts.types import AuthenticatedHttpRequest
from protection.datasets import Dataset, dataset, datasets
from protection.exporting import CONTENT_TYPES, ExportFormat, file_chunks
from protection.exports import (
    export_file,
    export_get,
    export_job_start,
    export_plan,
    export_stream,
    may_export_individually,
)
from protection.models import EXPORT_PURPOSES, DataExport, ExportLevel, ExportStatus
from protection.pages import add_service_errors
from protection.roles import Action


class ExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, widget=forms.RadioSelect
    )
    level = forms.ChoiceField(label=_("What to export"), widget=forms.RadioSelect)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        required=False,
        help_text=_("Needed for one row per record: it is recorded with every record exported."),
    )

    def __init__(self, *args: Any, levels: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level = self.fields["level"]
        purpose = self.fields["purpose"]
        assert isinstance(level, forms.ChoiceField) and isinstance(purpose, forms.ChoiceField)
        level.choices = levels
        purpose.choices = [
            ("", _("Choose a purpose")),
            *((p.value, p.label) for p in EXPORT_PURPOSES),
        ]
        if [value for value, _label in levels] == [ExportLevel.AGGREGATED]:
            del self.fields["purpose"]  # figures only: no purpose to ask


def _levels(user: Any, data: Dataset) -> list[tuple[str, Any]]:
    levels: list[tuple[str, Any]] = []
    if data.figures is not None:
        levels.append((ExportLevel.AGGREGATED.value, ExportLevel.AGGREGATED.label))
    if may_export_individually(user, data):
        levels.append((ExportLevel.INDIVIDUAL.value, ExportLevel.INDIVIDUAL.label))
    return levels


def _list_filters(data: Dataset, query: QueryDict) -> dict[str, Any]:
    """Return the list page's filters from its query string: the FilterSet's names only."""
    names = set(data.filterset.base_filters)
    return {
        name: values if len(values) > 1 else values[0]
        for name, values in query.lists()
        if name in names and any(values)
    }


def _response(plan: Any, body: Any) -> StreamingHttpResponse:
    if hasattr(body, "open"):  # an XLSX file, deleted once sent
        body = file_chunks(body, delete=True)
    response = StreamingHttpResponse(
        body, content_type=CONTENT_TYPES[ExportFormat(plan.file_format)]
    )
    response["Content-Disposition"] = f'attachment; filename="{plan.file_name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def export_new(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Export a list (GET: the choices; POST: the file, or a background export)."""
    name = request.GET.get("dataset", "")
    if not name:
        offered = [
            item
            for item in datasets()
            if access.can(request.user, item.view_action)
            or (item.figures is not None and access.can(request.user, Action.VIEW_AGGREGATES))
        ]
        return render(request, "exports/export_choose.html", {"datasets": offered})
    try:
        data = dataset(name)
    except KeyError:
        raise Http404 from None
    levels = _levels(request.user, data)
    if not levels:
        raise Http404
    filters = _list_filters(data, request.GET)
    initial = {"file_format": ExportFormat.XLSX, "level": levels[0][0]}
    form = ExportForm(request.POST or None, levels=levels, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = export_plan(
                user=request.user,
                dataset=data,
                level=form.cleaned_data["level"],
                file_format=form.cleaned_data["file_format"],
                purpose=form.cleaned_data.get("purpose") or "",
                filters=filters,
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if plan.in_background:
                export = export_job_start(user=request.user, plan=plan)
                return redirect("exports:detail", export.pk)
            return _response(plan, export_stream(user=request.user, plan=plan))
    return render(
        request,
        "exports/export_new.html",
        {
            "form": form,
            "dataset": data,
            "filters": [
                (data.filterset.base_filters[name].label or name, value)
                for name, value in filters.items()
            ],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the user's own background exports, newest first."""
    exports = DataExport.objects.filter(user=request.user).order_by("-id")[:50]
    return render(request, "exports/export_list.html", {"exports": exports})


@login_required
@require_GET
def export_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show a background export's progress (the page reloads itself until it is done)."""
    export = export_get(user=request.user, pk=pk)
    waiting = export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    return render(request, "exports/export_detail.html", {"export": export, "waiting": waiting})


@login_required
@require_GET
def export_download(request: AuthenticatedHttpRequest, pk: int) -> StreamingHttpResponse:
    """Send the file of the user's ready export, until it expires."""
    export, file_path = export_file(user=request.user, pk=pk)
    response = StreamingHttpResponse(
        file_chunks(file_path, delete=False),
        content_type=CONTENT_TYPES[ExportFormat(export.file_format)],
    )
    response["Content-Disposition"] = f'attachment; filename="{file_path.name}"'
    response["Cache-Control"] = "no-store"
    return response


app_name = "exports"
urlpatterns = [
    path("", export_list, name="list"),
    path("new/", export_new, name="new"),
    path("<int:pk>/", export_detail, name="detail"),
    path("<int:pk>/download/", export_download, name="download"),
]
