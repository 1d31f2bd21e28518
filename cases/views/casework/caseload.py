"""The caseload: the cases a worker carries (or a supervisor's whole agency), with what is late."""

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.casework import selectors
from cases.forms.casework import CaseloadForm
from cases.models import CaseStatus, ProtectionCase, Referral, ReferralStatus, RiskLevel
from cases.views.casework.common import PAGE_SIZE
from cases.views.common import log_people_listed
from protection import access
from protection.access import Action
from protection.pagination import keyset_page


@dataclass
class CaseloadCounts:
    """The open cases of the chosen scope, counted by status and risk, and what is late."""

    total: int = 0
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
    by_risk: list[tuple[str, str, int]] = field(default_factory=list)
    overdue_actions: int = 0
    follow_up_overdue: int = 0
    overdue_referrals: int = 0


def _overdue_referral() -> Exists:
    return Exists(
        Referral.objects.filter(
            case=OuterRef("pk"),
            status=ReferralStatus.PENDING,
            response_due_at__lt=timezone.now(),
        )
    )


def _counts(cases: QuerySet[ProtectionCase]) -> CaseloadCounts:
    """Count the cases in one grouped query (no row is read)."""
    rows = (
        cases.order_by()
        .values("status", "risk_level")
        .annotate(
            total=Count("pk"),
            late_actions=Count("pk", filter=Q(overdue_actions__gt=0)),
            late_follow_up=Count("pk", filter=Q(follow_up_overdue=True)),
            late_referrals=Count("pk", filter=Q(_overdue_referral())),
        )
    )
    counts = CaseloadCounts()
    statuses: dict[str, int] = {}
    risks: dict[str, int] = {}
    for row in rows:
        counts.total += row["total"]
        counts.overdue_actions += row["late_actions"]
        counts.follow_up_overdue += row["late_follow_up"]
        counts.overdue_referrals += row["late_referrals"]
        statuses[row["status"]] = statuses.get(row["status"], 0) + row["total"]
        risks[row["risk_level"]] = risks.get(row["risk_level"], 0) + row["total"]
    counts.by_status = [
        (value, str(label), statuses[value])
        for value, label in CaseStatus.choices
        if value in statuses
    ]
    counts.by_risk = [
        (value, str(label), risks[value]) for value, label in RiskLevel.choices if value in risks
    ]
    return counts


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
            overdue_referral=_overdue_referral()
        )
        page = keyset_page(cases, after=request.GET.get("after"), size=PAGE_SIZE)
        counts = _counts(
            selectors.case_list(user=request.user, filters={**form.scope_filters(), "open": True})
        )
        log_people_listed(request.user, [case.primary_person for case in page.items])
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "counts": counts,
        "supervisor": supervisor,
        "today": timezone.localdate(),
    }
    return render(request, "cases/casework/case_list.html", context)
