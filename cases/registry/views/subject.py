"""Pages of a person's data-subject report: the printable page, its PDF and JSON downloads,
and the correction of a field on the person's request.

Each opening of the report asks for a purpose and logs it (cases.registry.subject); the
downloads carry no personal data in their file names, only the registration number.
"""

import json

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from cases.registry import corrections, selectors
from cases.registry.forms import PersonCorrectionForm, SubjectReportPurposeForm
from cases.registry.subject import SubjectReport, subject_report_get
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors, submitted_once

REPORT_STYLESHEET = "css/subject-report.css"


def _report(
    request: AuthenticatedHttpRequest, pk: int, report_format: str
) -> SubjectReport | HttpResponse:
    """Return the report for the purpose in the query, or the purpose form (nothing logged)."""
    access.require(request.user, Action.ANSWER_SUBJECT_REQUESTS)
    form = SubjectReportPurposeForm(request.GET if "purpose" in request.GET else None)
    if form.is_valid():
        try:
            return subject_report_get(
                user=request.user,
                pk=pk,
                purpose=form.cleaned_data["purpose"],
                report_format=report_format,
            )
        except ValidationError as error:  # the selector's own check; the form ran it first
            add_service_errors(form, error)
    # The person must be one the user may see before the form says anything about them.
    if not selectors.person_list(user=request.user).filter(pk=pk).exists():
        raise Http404
    status = 400 if form.is_bound else 200
    return render(
        request,
        "cases/subject/purpose.html",
        {"form": form, "person_pk": pk, "report_format": report_format},
        status=status,
    )


def _document(request: AuthenticatedHttpRequest, report: SubjectReport) -> str:
    """Return the report as a standalone HTML document (the PDF's source)."""
    return render_to_string(
        "cases/subject/document.html",
        {"report": report, "data": report.data, "printed": True},
        request=request,
    )


@never_cache  # a copy of a person's whole file must not stay in a browser's or proxy's cache
@login_required
@require_GET
def person_subject_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show everything held about the person, and who read it, as a printable page."""
    report = _report(request, pk, "page")
    if isinstance(report, HttpResponse):
        return report
    return render(
        request,
        "cases/subject/report.html",
        {"report": report, "data": report.data, "purpose": request.GET["purpose"]},
    )


@never_cache  # a copy of a person's whole file must not stay in a browser's or proxy's cache
@login_required
@require_GET
def person_subject_report_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Download the report as a PDF, rendered on the server from the printable document."""
    report = _report(request, pk, "pdf")
    if isinstance(report, HttpResponse):
        return report
    # Imported here: WeasyPrint loads pango when imported, which only this view needs.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    stylesheet = finders.find(REPORT_STYLESHEET)
    assert isinstance(stylesheet, str)
    # The document needs nothing from outside: a fetcher that allows no protocol keeps
    # anything written in a record (a URL in a note) from making the server fetch it.
    pdf = HTML(string=_document(request, report), url_fetcher=URLFetcher(allowed_protocols=()))
    content = pdf.write_pdf(stylesheets=[CSS(filename=stylesheet)])
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-report-{report.person.registration_number}.pdf"'
    )
    return response


@never_cache  # a copy of a person's whole file must not stay in a browser's or proxy's cache
@login_required
@require_GET
def person_subject_report_json(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Download the report as JSON under stable keys (the API's subject-report answers the same)."""
    report = _report(request, pk, "json")
    if isinstance(report, HttpResponse):
        return report
    content = json.dumps(report.data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="subject-report-{report.person.registration_number}.json"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def person_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct one field of the person's record on their request, with the reason."""
    access.require(request.user, Action.ANSWER_SUBJECT_REQUESTS)
    access.require(request.user, Action.EDIT_PEOPLE)
    person = selectors.person_get(user=request.user, pk=pk)
    form = PersonCorrectionForm(request.POST if request.method == "POST" else None)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                corrections.person_correct(
                    actor=request.user,
                    person=person,
                    field_name=data["field"],
                    value=data["value"],
                    reason=data["reason"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return submission.done(
                    request, gettext("The correction was saved."), person.get_absolute_url()
                )
    return render(
        request,
        "cases/subject/correct.html",
        {"person": person, "form": form},
    )
