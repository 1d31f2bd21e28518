"""The workflow actions on a case, one small page each; the case page posts to them too.

A refused action shows its page again with the service's reason and writes nothing.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.casework import closure, handover, plan, services, workflow
from cases.casework.forms.case import (
    CloseForm,
    NoteForm,
    ReasonForm,
    ReassignForm,
    TransferForm,
    TransitionForm,
)
from cases.casework.forms.plan import ActionAddForm, ActionUpdateForm, AssessmentForm, FollowUpForm
from cases.casework.views.common import case_for_work, case_form_page, case_url
from cases.models import (
    ApprovalKind,
    ApprovalStatus,
    CaseAction,
    CaseStatus,
    ReferralStatus,
)
from cases.registry.forms.choices import RegistryChoices
from partners.models import PartnerAgency
from protection import access
from protection.accounts.types import AuthenticatedHttpRequest
from protection.pages import created_once, done, flat_messages, run_service, submitted_once

GET_POST = ["GET", "POST"]


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
@require_POST
def case_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move the case one stage forward or back; a refusal is shown on the case page."""
    case = case_for_work(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, str(_("Choose a valid case status.")))
        return redirect(case_url(case))
    try:
        services.case_transition(actor=request.user, case=case, status=form.cleaned_data["status"])
    except ValidationError as error:
        words = " ".join(flat_messages(error))
        messages.error(request, str(_("The case did not move: %(reason)s")) % {"reason": words})
    else:
        messages.success(
            request,
            str(_("The case is now at the stage: %(status)s."))
            % {"status": dict(CaseStatus.choices)[form.cleaned_data["status"]]},
        )
    return redirect(case_url(case))


@login_required
@require_http_methods(GET_POST)
def case_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close the case, or ask a supervisor to approve closing a high- or critical-risk case."""
    case = case_for_work(request, pk)
    needs_approval = workflow.needs_closure_approval(case)
    pending = case.approvals.filter(
        kind=ApprovalKind.CLOSURE, status=ApprovalStatus.PENDING
    ).exists()
    form = CloseForm(_posted(request), person=case.primary_person)
    with submitted_once(request) as submission:
        if submission.replay:
            return submission.replay
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            arguments = {
                "actor": request.user,
                "case": case,
                "reason": data["reason"],
                "durable_solution": data["durable_solution"],
                "note": data["note"],
            }
            if needs_approval:
                if run_service(form, lambda: closure.case_closure_request(**arguments)):
                    return submission.done(
                        request, _("Closure requested; a supervisor will decide."), case_url(case)
                    )
            elif run_service(form, lambda: closure.case_close(**arguments)):
                return submission.done(request, _("The case is closed."), case_url(case))
    if needs_approval:
        title = _("Request approval to close case %(number)s") % {"number": case.case_number}
        submit = _("Request approval")
        intro = _(
            "This case's risk is high or critical: a supervisor of your agency must approve "
            "the closure. The case stays open until then."
        )
    else:
        title = _("Close case %(number)s") % {"number": case.case_number}
        submit = _("Close the case")
        intro = _(
            "Only a case in follow-up closes with the needs met or a durable solution; "
            "the other reasons close it at any stage."
        )
    return case_form_page(
        request,
        case,
        form,
        title=title,
        submit=submit,
        intro=intro,
        template="cases/casework/case_close.html",
        pending=pending,
    )


@login_required
@require_http_methods(GET_POST)
def case_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed case for a new assessment."""
    case = case_for_work(request, pk)
    form = ReasonForm(_posted(request), label=_("Why is the case reopened?"))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            form,
            lambda: closure.case_reopen(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            ),
        )
    ):
        return done(request, _("The case is reopened for a new assessment."), case_url(case))
    return case_form_page(
        request,
        case,
        form,
        title=_("Reopen case %(number)s") % {"number": case.case_number},
        submit=_("Reopen the case"),
        intro=_("The closure stays in the timeline; the case goes back to assessment."),
    )


@login_required
@require_http_methods(GET_POST)
def case_assessment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record an assessment: risks, specific needs, safety, and the person's wishes."""
    case = case_for_work(request, pk)
    person = case.primary_person
    recorded = list(person.specific_needs.all())
    choices = RegistryChoices(keep_need_ids=[need.pk for need in recorded])
    form = AssessmentForm(_posted(request), choices=choices, initial={"specific_needs": recorded})
    answer = created_once(
        request,
        form,
        lambda data: plan.assessment_record(
            actor=request.user,
            case=case,
            risks_identified=data["risks_identified"],
            assessed_on=data["assessed_on"],
            specific_needs=data["specific_needs"],
            immediate_safety_concern=data["immediate_safety_concern"],
            safety_plan=data["safety_plan"],
            wishes=data["wishes"],
        ),
        message=_("The assessment is recorded."),
        url=case_url(case),
    )
    if answer:
        return answer
    return case_form_page(
        request,
        case,
        form,
        title=_("Assess case %(number)s") % {"number": case.case_number},
        submit=_("Record the assessment"),
        template="cases/casework/case_assessment.html",
    )


@login_required
@require_http_methods(GET_POST)
def case_action_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add an action to the case plan."""
    case = case_for_work(request, pk)
    form = ActionAddForm(
        _posted(request),
        caseworkers=access.caseworkers_of(case.owning_agency).order_by("first_name", "username"),
        referrals=case.referrals.exclude(
            status__in=[ReferralStatus.DECLINED, ReferralStatus.CANCELLED]
        ).select_related("service"),
        initial={"responsible_user": case.assigned_to_id},
    )
    answer = created_once(
        request,
        form,
        lambda data: plan.case_action_add(
            actor=request.user,
            case=case,
            description=data["description"],
            due_on=data["due_on"],
            responsible_user=data["responsible_user"],
            referral=data["referral"],
        ),
        message=_("The action is added to the case plan."),
        url=case_url(case),
    )
    if answer:
        return answer
    return case_form_page(
        request,
        case,
        form,
        title=_("Add an action to the plan of case %(number)s") % {"number": case.case_number},
        submit=_("Add the action"),
    )


@login_required
@require_http_methods(GET_POST)
def case_action_update(request: AuthenticatedHttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """Move a plan action along, or give it a new due date."""
    case = case_for_work(request, pk)
    action = get_object_or_404(CaseAction.objects.filter(case=case), pk=action_pk)
    form = ActionUpdateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            form,
            lambda: plan.case_action_update(
                actor=request.user,
                action=action,
                status=data["status"] or None,
                due_on=data["due_on"],
            ),
        ):
            return done(request, _("The action is updated."), case_url(case))
    return case_form_page(
        request,
        case,
        form,
        title=_("Update a plan action of case %(number)s") % {"number": case.case_number},
        submit=_("Update the action"),
        intro=action.description,
    )


@login_required
@require_http_methods(GET_POST)
def case_follow_up(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up contact with the person."""
    case = case_for_work(request, pk)
    form = FollowUpForm(_posted(request))
    answer = created_once(
        request,
        form,
        lambda data: plan.follow_up_record(
            actor=request.user,
            case=case,
            contact_type=data["contact_type"],
            notes=data["notes"],
            followed_up_on=data["followed_up_on"],
            next_follow_up_on=data["next_follow_up_on"],
        ),
        message=_("The follow-up is recorded."),
        url=case_url(case),
    )
    if answer:
        return answer
    return case_form_page(
        request,
        case,
        form,
        title=_("Record a follow-up of case %(number)s") % {"number": case.case_number},
        submit=_("Record the follow-up"),
    )


@login_required
@require_http_methods(GET_POST)
def case_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Write a note on the case."""
    case = case_for_work(request, pk)
    form = NoteForm(_posted(request))
    answer = created_once(
        request,
        form,
        lambda data: services.case_note_add(actor=request.user, case=case, text=data["text"]),
        message=_("The note is saved."),
        url=case_url(case),
    )
    if answer:
        return answer
    return case_form_page(
        request,
        case,
        form,
        title=_("Write a note on case %(number)s") % {"number": case.case_number},
        submit=_("Save the note"),
    )


@login_required
@require_http_methods(GET_POST)
def case_reassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give the case to another case worker of the agency (supervisors only)."""
    case = case_for_work(request, pk)
    if not access.supervises_case(request.user, case):
        raise PermissionDenied
    caseworkers = access.caseworkers_of(case.owning_agency).order_by("first_name", "username")
    if case.assigned_to_id:
        caseworkers = caseworkers.exclude(pk=case.assigned_to_id)
    form = ReassignForm(_posted(request), caseworkers=caseworkers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            form,
            lambda: handover.case_reassign(
                actor=request.user,
                case=case,
                assigned_to=data["assigned_to"],
                reason=data["reason"],
            ),
        ):
            return done(request, _("The case has a new case worker."), case_url(case))
    return case_form_page(
        request,
        case,
        form,
        title=_("Assign case %(number)s to a case worker") % {"number": case.case_number},
        submit=_("Assign the case"),
    )


@login_required
@require_http_methods(GET_POST)
def case_transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Hand the case to another agency (supervisors only)."""
    case = case_for_work(request, pk)
    if not access.supervises_case(request.user, case):
        raise PermissionDenied
    agencies = PartnerAgency.objects.filter(active=True).exclude(pk=case.owning_agency_id)
    form = TransferForm(_posted(request), agencies=agencies.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if run_service(
            form,
            lambda: handover.case_transfer(
                actor=request.user, case=case, agency=data["agency"], reason=data["reason"]
            ),
        ):
            messages.success(
                request,
                str(_("Case %(number)s is transferred to %(agency)s."))
                % {"number": case.case_number, "agency": data["agency"]},
            )
            return redirect("cases:case_list")
    return case_form_page(
        request,
        case,
        form,
        title=_("Transfer case %(number)s to another agency") % {"number": case.case_number},
        submit=_("Transfer the case"),
        intro=_(
            "The whole file moves: the person's consent must cover sharing, and an active "
            "data-sharing agreement must cover case transfers. Your agency will no longer "
            "see the case."
        ),
    )
