"""Decide a supervisor's approval, whatever it was asked for: pages and API both call here.

A closure approval closes the case (cases.casework.closure); a consent-override approval sends
the referral (cases.casework.referrals). Rejecting either records the supervisor's reason.
"""

from typing import TYPE_CHECKING

from cases.casework import closure, referrals
from cases.models import ApprovalKind, CaseApproval

if TYPE_CHECKING:
    from protection.accounts.models import User


def approval_approve(*, actor: "User", approval: CaseApproval) -> None:
    """Approve the request: the case closes, or the referral is sent."""
    if approval.kind == ApprovalKind.CLOSURE:
        closure.case_closure_approve(actor=actor, approval=approval)
    else:
        referrals.referral_override_approve(actor=actor, approval=approval)


def approval_reject(*, actor: "User", approval: CaseApproval, reason: str) -> None:
    """Reject the request with the reason: the case stays open, or the referral is cancelled."""
    if approval.kind == ApprovalKind.CLOSURE:
        closure.case_closure_reject(actor=actor, approval=approval, reason=reason)
    else:
        referrals.referral_override_reject(actor=actor, approval=approval, reason=reason)
