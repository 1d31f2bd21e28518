"""Server-rendered pages of protection casework: caseload, case file, referrals, approvals."""

from cases.casework.views.actions import (
    case_action_add,
    case_action_update,
    case_assessment,
    case_close,
    case_follow_up,
    case_note,
    case_reassign,
    case_reopen,
    case_transfer,
    case_transition,
)
from cases.casework.views.approvals import approval_approve, approval_queue, approval_reject
from cases.casework.views.case import case_detail, case_open
from cases.casework.views.caseload import case_list
from cases.casework.views.erasure import person_erase_page
from cases.casework.views.referrals import (
    case_refer,
    referral_accept,
    referral_cancel,
    referral_complete,
    referral_decline,
    referral_inbox,
    referral_received_detail,
    referral_sent_detail,
    referral_sent_list,
)

__all__ = [
    "approval_approve",
    "approval_queue",
    "approval_reject",
    "case_action_add",
    "case_action_update",
    "case_assessment",
    "case_close",
    "case_detail",
    "case_follow_up",
    "case_list",
    "case_note",
    "case_open",
    "case_reassign",
    "case_refer",
    "case_reopen",
    "case_transfer",
    "case_transition",
    "person_erase_page",
    "referral_accept",
    "referral_cancel",
    "referral_complete",
    "referral_decline",
    "referral_inbox",
    "referral_received_detail",
    "referral_sent_detail",
    "referral_sent_list",
]
