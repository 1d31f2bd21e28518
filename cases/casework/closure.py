"""Closing and reopening a case, and the supervisor's approval a high-risk closure needs.

A closure that reaches a durable solution (or records a death) gives the person the matching
registry status, through the registry's own status rules in cases.registry.services.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.casework import workflow
from cases.casework.services import lock, record, require_case_work
from cases.models import (
    ApprovalKind,
    ApprovalStatus,
    CaseApproval,
    CaseStatus,
    ClosureReason,
    DurableSolution,
    ProtectionCase,
)
from cases.registry.services import person_status_apply
from protection import access
from protection.audit import diff, snapshot

if TYPE_CHECKING:
    from protection.accounts.models import User

CLOSURE_FIELDS = ("status", "closed_on", "closure_reason", "durable_solution", "closure_note")


def _apply_person_status(actor: "User", case: ProtectionCase) -> str | None:
    """Give the person the status the closure implies; return it if it changed."""
    status = workflow.closure_person_status(case.closure_reason, case.durable_solution)
    person = case.primary_person
    if status is None or person.status == status:
        return None
    if case.closure_reason == ClosureReason.DURABLE_SOLUTION:
        label = dict(DurableSolution.choices)[case.durable_solution]
        reason = _("Durable solution (%(solution)s) recorded in case %(case)s.") % {
            "solution": label,
            "case": case.case_number,
        }
    else:
        reason = _("Death recorded when closing case %(case)s.") % {"case": case.case_number}
    person_status_apply(actor=actor, person=person, status=status, reason=reason)
    return status


def _close(
    actor: "User", case: ProtectionCase, *, reason: str, durable_solution: str, note: str
) -> dict[str, Any]:
    """Close the locked case and update the person; return the changes for the audit."""
    before = snapshot(case, CLOSURE_FIELDS)
    case.status = CaseStatus.CLOSED
    case.closed_on = timezone.localdate()
    case.closure_reason, case.durable_solution = reason, durable_solution
    case.closure_note = note.strip()
    case.save(update_fields=[*CLOSURE_FIELDS, "updated_at"])
    changes = diff(before, snapshot(case, CLOSURE_FIELDS))
    person_status = _apply_person_status(actor, case)
    if person_status is not None:
        changes["person_status"] = [None, person_status]
    return changes


def case_close(
    *,
    actor: "User",
    case: ProtectionCase,
    reason: str,
    durable_solution: str = "",
    note: str = "",
) -> ProtectionCase:
    """Close a low- or medium-risk case with its reason (and solution, if one was reached)."""
    require_case_work(actor, case)
    with transaction.atomic():
        case = lock(case)
        workflow.check_closure(case, reason=reason, durable_solution=durable_solution, note=note)
        if workflow.needs_closure_approval(case):
            raise ValidationError(
                {
                    "reason": _(
                        "A supervisor must approve closing a high- or critical-risk case: "
                        "request the closure instead."
                    )
                }
            )
        changes = _close(actor, case, reason=reason, durable_solution=durable_solution, note=note)
        record(actor, case, "case.close", changes)
    return case


def case_closure_request(
    *,
    actor: "User",
    case: ProtectionCase,
    reason: str,
    durable_solution: str = "",
    note: str = "",
) -> CaseApproval:
    """Ask a supervisor of the owning agency to approve closing a high- or critical-risk case."""
    require_case_work(actor, case)
    with transaction.atomic():
        case = lock(case)
        workflow.check_closure(case, reason=reason, durable_solution=durable_solution, note=note)
        if not workflow.needs_closure_approval(case):
            raise ValidationError(
                {"reason": _("This case's risk is not high; close it without approval.")}
            )
        if case.approvals.filter(kind=ApprovalKind.CLOSURE, status=ApprovalStatus.PENDING).exists():
            raise ValidationError(
                {"reason": _("Closing this case is already waiting for approval.")}
            )
        approval = CaseApproval.objects.create(
            case=case,
            kind=ApprovalKind.CLOSURE,
            closure_reason=reason,
            durable_solution=durable_solution,
            closure_note=note.strip(),
            requested_by=actor,
        )
        record(
            actor,
            case,
            "case.closure_request",
            {
                "approval": [None, approval.pk],
                "closure_reason": [None, reason],
                "durable_solution": [None, durable_solution],
                "closure_note": [None, approval.closure_note],
            },
        )
    return approval


def lock_pending_approval(actor: "User", approval: CaseApproval, kind: str) -> CaseApproval:
    """Return the locked approval if the actor may decide it now; raise otherwise.

    The decider is a supervisor of the agency that owns the case, and not the requester.
    """
    approval = (
        CaseApproval.objects.select_for_update()
        .select_related("case__primary_person__displacement_status")
        .get(pk=approval.pk)
    )
    if approval.kind != kind or not access.supervises_case(actor, approval.case):
        raise PermissionDenied
    if approval.status != ApprovalStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if approval.requested_by_id == actor.pk:
        raise ValidationError(_("You made this request; another supervisor must decide it."))
    return approval


def _decide(approval: CaseApproval, actor: "User", status: str, note: str = "") -> None:
    approval.status, approval.decided_by = status, actor
    approval.decided_at, approval.decision_note = timezone.now(), note.strip()
    approval.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


def case_closure_approve(*, actor: "User", approval: CaseApproval) -> ProtectionCase:
    """Approve a closure request: the case closes with the reason the requester gave."""
    with transaction.atomic():
        approval = lock_pending_approval(actor, approval, ApprovalKind.CLOSURE)
        case = lock(approval.case)
        workflow.check_closure(
            case,
            reason=approval.closure_reason,
            durable_solution=approval.durable_solution,
            note=approval.closure_note,
        )
        changes = _close(
            actor,
            case,
            reason=approval.closure_reason,
            durable_solution=approval.durable_solution,
            note=approval.closure_note,
        )
        _decide(approval, actor, ApprovalStatus.APPROVED)
        changes["approval"] = [approval.pk, approval.pk]
        record(actor, case, "case.closure_approve", changes)
    return case


def case_closure_reject(*, actor: "User", approval: CaseApproval, reason: str) -> CaseApproval:
    """Refuse a closure request with the reason; the case stays open."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case may not close yet.")})
    with transaction.atomic():
        approval = lock_pending_approval(actor, approval, ApprovalKind.CLOSURE)
        _decide(approval, actor, ApprovalStatus.REJECTED, reason)
        record(
            actor,
            approval.case,
            "case.closure_reject",
            {"approval": [approval.pk, approval.pk], "reason": [None, reason.strip()]},
        )
    return approval


def case_reopen(*, actor: "User", case: ProtectionCase, reason: str) -> ProtectionCase:
    """Reopen a closed case for a new assessment; the closure stays in the timeline.

    A status the closure gave the person is left as it is: correct it in the registry.
    """
    require_case_work(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    with transaction.atomic():
        case = lock(case)
        if case.status != CaseStatus.CLOSED:
            raise ValidationError({"reason": _("Only a closed case can be reopened.")})
        before = snapshot(case, CLOSURE_FIELDS)
        case.status, case.closed_on = workflow.REOPEN_STATUS, None
        case.closure_reason = case.durable_solution = case.closure_note = ""
        case.save(update_fields=[*CLOSURE_FIELDS, "updated_at"])
        changes = diff(before, snapshot(case, CLOSURE_FIELDS))
        changes["reason"] = [None, reason.strip()]
        record(actor, case, "case.reopen", changes)
    return case
