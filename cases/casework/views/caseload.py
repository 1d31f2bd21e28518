"""The caseload: the cases a worker carries (or a supervisor's whole agency), with what is late."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.casework import selectors
from cases.casework.forms.lists import CaseloadForm
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import PAGE_SIZE, keyset_pager
from protection.reads import list_purpose


@login_required
@require_GET
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List my open cases (a supervisor: the agency's), 50 at a time, flagging what is late."""
    access.require(request.user, Action.VIEW_CASES)
    supervisor = access.can(request.user, Action.SUPERVISE_CASES)
    form = CaseloadForm(request.GET, supervisor=supervisor)
    page = None
    counts = None
    if form.is_valid():
        filters = form.filters()
        cases = selectors.case_list(user=request.user, filters=filters, narratives=False).annotate(
            overdue_referral=selectors.overdue_referral_exists()
        )
        page = selectors.case_page(
            user=request.user,
            cases=cases,
            paginate=keyset_pager(request, PAGE_SIZE),
            purpose=list_purpose(filters),
        )
        counts = selectors.caseload_counts(user=request.user, filters=form.scope_filters())
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "counts": counts,
        "supervisor": supervisor,
        "today": timezone.localdate(),
    }
    return render(request, "cases/casework/case_list.html", context)
