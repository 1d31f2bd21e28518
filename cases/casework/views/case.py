"""Opening a case from a person's file, and the case page: the whole file and its timeline."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from cases.casework import plan, selectors, services, timeline, workflow
from cases.casework.forms.case import CaseOpenForm
from cases.casework.views.common import TimelineWords, case_url
from cases.models import ActionStatus, CaseStatus, ProtectionCase
from cases.registry.language import language_needs_of
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import add_service_errors, submitted_once

# The workflow's stages in order, to tell a step forward from a step back.
STAGES: list[str] = [
    CaseStatus.REGISTERED,
    CaseStatus.ASSESSMENT,
    CaseStatus.CASE_PLAN,
    CaseStatus.IMPLEMENTATION,
    CaseStatus.FOLLOW_UP,
]


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Open a protection case for a registered person of the user's agency."""
    access.require(request.user, Action.MANAGE_CASES)
    agency = access.agency_of(request.user)
    assert agency is not None  # the role check above needs an active agency
    person = get_object_or_404(
        access.people_for(request.user).select_related("household", "site"), pk=pk
    )
    housemates = (
        access.people_for(request.user)
        .filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .order_by("id")
    )
    form = CaseOpenForm(
        request.POST if request.method == "POST" else None,
        caseworkers=access.caseworkers_of(agency).order_by("first_name", "last_name", "username"),
        housemates=housemates,
    )
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                case = services.case_open(
                    actor=request.user,
                    person=person,
                    case_type=data["case_type"],
                    risk_level=data["risk_level"],
                    summary=data["summary"],
                    assigned_to=data["assigned_to"],
                    linked_persons=list(data["linked_persons"]),
                    confidential=form.confidential_value(),
                    opened_on=data["opened_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return submission.done(
                    request,
                    _("Case %(number)s is open.") % {"number": case.case_number},
                    case_url(case),
                )
    return render(request, "cases/casework/case_open.html", {"person": person, "form": form})


def _moves(case: ProtectionCase) -> list[dict[str, Any]]:
    """Return the stages the case may move to from here, forward ones first."""
    labels = dict(CaseStatus.choices)
    if case.status not in STAGES:
        return []
    here = STAGES.index(case.status)
    moves = []
    for target in sorted(workflow.TRANSITIONS[case.status], key=STAGES.index, reverse=True):
        forward = STAGES.index(target) > here
        moves.append({"status": target, "label": labels[target], "forward": forward})
    return moves


@login_required
@require_GET
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show the whole case file with its timeline; the selector logs the case and its people."""
    access.require(request.user, Action.VIEW_CASES)
    case = selectors.case_get(user=request.user, pk=pk)
    entries = timeline.case_timeline(user=request.user, case=case)
    words = TimelineWords(case, entries)
    history = [{"entry": entry, "details": words.details(entry)} for entry in reversed(entries)]
    actions = [
        {
            "action": action,
            "moves": [
                (value, label)
                for value, label in ActionStatus.choices
                if value in plan.ACTION_MOVES[action.status]
            ],
        }
        for action in case.actions.all()
    ]
    notes = list(case.notes.select_related("author"))
    linked = list(case.linked_persons.all())
    may_work = access.can(request.user, Action.MANAGE_CASES)
    supervisor = access.supervises_case(request.user, case)
    context = {
        "case": case,
        "person": case.primary_person,
        "linked": linked,
        # The primary person's read is logged with the case (selectors.case_get).
        "language_needs": language_needs_of(case.primary_person),
        "assessments": list(case.assessments.all()),
        "actions": actions,
        "follow_ups": list(case.follow_ups.all()),
        "referrals": list(case.referrals.all()),
        "notes": notes,
        "history": history,
        "moves": _moves(case) if may_work else [],
        "may_work": may_work,
        "supervisor": supervisor,
        "needs_approval": workflow.needs_closure_approval(case),
        "is_open": case.status != CaseStatus.CLOSED,
    }
    return render(request, "cases/casework/case_detail.html", context)
