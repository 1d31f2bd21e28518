"""The supervisor's approval queue: closures of high-risk cases and referrals without consent."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from cases.casework import approvals, selectors
from cases.casework.forms.case import ReasonForm
from cases.models import ApprovalKind, CaseApproval, SharedField
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import PAGE_SIZE, done, flat_messages, run_service


def _queue_url() -> str:
    return reverse("cases:approval_queue")


def _reject_form(data: Any = None, prefix: str | None = None) -> ReasonForm:
    return ReasonForm(
        data,
        prefix=prefix,
        label=_("Reason for rejecting"),
        help_text=_("The case worker reads this."),
    )


def _queue_page(
    request: AuthenticatedHttpRequest,
    failed: dict[int, ReasonForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = list(selectors.approval_queue(user=request.user)[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    labels = dict(SharedField.choices)
    failed = failed or {}
    shown = {approval.pk for approval in rows[:PAGE_SIZE]}
    for pk, form in failed.items():
        if pk not in shown:  # e.g. the user's own request, which the queue leaves out
            for texts in form.errors.values():
                for text in texts:
                    messages.error(request, str(text))
    items = [
        {
            "approval": approval,
            "shared": [
                str(label)
                for name, label in labels.items()
                if approval.referral and name in approval.referral.shared_fields
            ],
            "form": failed.get(approval.pk) or _reject_form(prefix=f"a{approval.pk}"),
        }
        for approval in rows[:PAGE_SIZE]
    ]
    return render(
        request,
        "cases/casework/approval_queue.html",
        {"items": items, "more": more},
        status=status,
    )


@login_required
@require_GET
def approval_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """List the requests waiting for the user's decision, oldest first."""
    access.require(request.user, Action.SUPERVISE_CASES)
    return _queue_page(request)


def _get(request: AuthenticatedHttpRequest, pk: int) -> CaseApproval:
    access.require(request.user, Action.SUPERVISE_CASES)
    return selectors.approval_get(user=request.user, pk=pk)


@login_required
@require_POST
def approval_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Approve a request: the case closes, or the referral is sent."""
    approval = _get(request, pk)
    try:
        approvals.approval_approve(actor=request.user, approval=approval)
    except ValidationError as error:
        for text in flat_messages(error):
            messages.error(request, text)
        return redirect("cases:approval_queue")
    if approval.kind == ApprovalKind.CLOSURE:
        message = _("Approved: case %(number)s is closed.")
    else:
        message = _("Approved: the referral of case %(number)s is sent.")
    return done(request, message % {"number": approval.case.case_number}, _queue_url())


@login_required
@require_POST
def approval_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Reject a request with the reason; a rejected referral is cancelled, never sent."""
    approval = _get(request, pk)
    form = _reject_form(request.POST, prefix=f"a{approval.pk}")

    def reject() -> None:
        approvals.approval_reject(
            actor=request.user, approval=approval, reason=form.cleaned_data["reason"]
        )

    if form.is_valid() and run_service(form, reject):
        return done(
            request,
            _("Rejected; the case worker of %(number)s sees your reason.")
            % {"number": approval.case.case_number},
            _queue_url(),
        )
    return _queue_page(request, failed={approval.pk: form})
