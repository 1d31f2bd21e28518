"""The public reporting page and the reference's state: no account, no cookie, no address kept.

The page is one small form that works without a script, in English, French or Arabic
(`?lang=`, else the browser's language). It sets no cookie: no session is touched, no CSRF
cookie is issued (the view is exempt: it changes no one's account, and its own signed ticket
and honeypot stand against forged and scripted posts, see incidents.community.guard), and the
audit event of a report is written in a context without the client's address.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from incidents.community import guard
from incidents.community.forms import ConcernForm, StatusForm
from incidents.community.selectors import report_state
from incidents.community.services import ConcernData, community_report_receive
from incidents.models import ReportState
from protection.audit import RequestContext, bound_context
from protection.models import Channel
from protection.pages import add_service_errors

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in _LANGUAGES:
        return asked
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def _page(
    request: HttpRequest, template: str, context: dict[str, object], status: int = 200
) -> HttpResponse:
    context["languages"] = settings.LANGUAGES
    return render(request, template, context, status=status)


def _again(
    request: HttpRequest, form: ConcernForm, language: str, *, refused: str = ""
) -> HttpResponse:
    """Show the form again as it was filled, with a fresh ticket: 400, or 429 over the limit."""
    data = request.POST.copy()
    data["ticket"] = guard.ticket_issue()
    form.data = data
    return _page(
        request,
        "incidents/community/report.html",
        {"form": form, "lang": language, "refused": refused},
        status=429 if refused == "limit" else 400,
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def report_concern(request: HttpRequest) -> HttpResponse:
    """Take a concern from anyone; answer with its reference, or what to correct."""
    language = _language(request)
    with translation.override(language):
        if request.method != "POST":
            form = ConcernForm(initial={"ticket": guard.ticket_issue()})
            return _page(
                request, "incidents/community/report.html", {"form": form, "lang": language}
            )
        form = ConcernForm(request.POST)
        refused = ""
        if guard.over_limit(request):
            refused = "limit"
        elif request.POST.get("website") or not guard.ticket_valid(request.POST.get("ticket", "")):
            refused = "ticket"
        if refused:
            return _again(request, form, language, refused=refused)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with bound_context(RequestContext(channel=Channel.WEB, ip_address=None)):
                    report = community_report_receive(
                        data=ConcernData(
                            site=data["site"],
                            kind=data["kind"],
                            description=data["description"],
                            occurred_on=data["occurred_on"],
                            contact=data["contact"],
                            language=language,
                        )
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _page(
                    request,
                    "incidents/community/received.html",
                    {"reference": report.reference, "lang": language},
                )
        return _again(request, form, language)


@never_cache
@require_GET
def report_status(request: HttpRequest) -> HttpResponse:
    """Say where a reference's report stands: received, being followed up, or closed."""
    language = _language(request)
    with translation.override(language):
        form = StatusForm(request.GET or None)
        state = None
        unknown = False
        if form.is_valid():
            found = report_state(form.cleaned_data["reference"])
            if found is None:
                unknown = True
            else:
                state = ReportState(found).label
        return _page(
            request,
            "incidents/community/status.html",
            {"form": form, "state": state, "unknown": unknown, "lang": language},
            status=404 if unknown else 200,
        )
