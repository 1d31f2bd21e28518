"""The caseload: the cases a worker carries (or a supervisor's whole agency), with what is late."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.casework import selectors
from cases.forms.casework import CaseloadForm
from cases.views.casework.common import PAGE_SIZE
from cases.views.common import log_people_listed
from protection import access
from protection.access import Action
from protection.pagination import keyset_page


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """List my open cases (a supervisor: the agency's), 50 at a time, flagging what is late."""
    access.require(request.user, Action.VIEW_CASES)
    supervisor = access.can(request.user, Action.SUPERVISE_CASES)
    form = CaseloadForm(request.GET, supervisor=supervisor)
    page = None
    counts = None
    if form.is_valid():
        cases = selectors.case_list(user=request.user, filters=form.filters()).annotate(
            overdue_referral=selectors.overdue_referral_exists()
        )
        page = keyset_page(cases, after=request.GET.get("after"), size=PAGE_SIZE)
        counts = selectors.caseload_counts(user=request.user, filters=form.scope_filters())
        log_people_listed(request.user, [case.primary_person for case in page.items])
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "counts": counts,
        "supervisor": supervisor,
        "today": timezone.localdate(),
    }
    return render(request, "cases/casework/case_list.html", context)
