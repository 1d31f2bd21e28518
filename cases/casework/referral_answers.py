"""The life of a sent referral: the partner accepts, declines or completes it; the sender cancels.

The receiving agency acts only on referrals addressed to it (the access policy's received
referrals), and its answers are filed under the case, where the sender's timeline shows them.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.casework.services import record, require_case_work
from cases.models import ApprovalStatus, CaseApproval, ProtectionCase, Referral, ReferralStatus
from protection import access

if TYPE_CHECKING:
    from protection.accounts.models import User

# The statuses each move starts from. The receiving agency accepts, declines and completes;
# the sender cancels.
_FROM: dict[str, tuple[str, ...]] = {
    "accept": (ReferralStatus.PENDING,),
    "decline": (ReferralStatus.PENDING,),
    "complete": (ReferralStatus.ACCEPTED,),
    "cancel": (ReferralStatus.AWAITING_APPROVAL, ReferralStatus.PENDING, ReferralStatus.ACCEPTED),
}
_REFUSALS = {
    "accept": gettext_lazy("Only a pending referral can be accepted."),
    "decline": gettext_lazy("Only a pending referral can be declined."),
    "complete": gettext_lazy("Only an accepted referral can be completed."),
    "cancel": gettext_lazy("This referral is already finished and cannot be cancelled."),
}


def _lock_for(actor: "User", referral: Referral, move: str) -> Referral:
    """Return the locked referral if the actor's side may make the move; raise otherwise."""
    if move == "cancel":
        require_case_work(actor, referral.case)
    elif not access.referrals_received_for(actor).filter(pk=referral.pk).exists():
        raise PermissionDenied
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status not in _FROM[move]:
        raise ValidationError({"status": str(_REFUSALS[move])})
    return locked


def _file(actor: "User", referral: Referral, action: str, changes: dict[str, Any]) -> None:
    changes["referral"] = [referral.pk, referral.pk]
    record(actor, ProtectionCase.objects.get(pk=referral.case_id), action, changes)


def referral_accept(*, actor: "User", referral: Referral) -> Referral:
    """Accept a pending referral on behalf of the receiving agency."""
    with transaction.atomic():
        referral = _lock_for(actor, referral, "accept")
        referral.status = ReferralStatus.ACCEPTED
        referral.responded_at, referral.responded_by = timezone.now(), actor
        referral.save(update_fields=["status", "responded_at", "responded_by", "updated_at"])
        _file(
            actor,
            referral,
            "case.referral_accept",
            {"status": [ReferralStatus.PENDING, ReferralStatus.ACCEPTED]},
        )
    return referral


def referral_decline(*, actor: "User", referral: Referral, reason: str) -> Referral:
    """Decline a pending referral with the reason, so that the sender can look elsewhere."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    with transaction.atomic():
        referral = _lock_for(actor, referral, "decline")
        referral.status, referral.decline_reason = ReferralStatus.DECLINED, reason.strip()
        referral.responded_at, referral.responded_by = timezone.now(), actor
        referral.save(
            update_fields=[
                "status",
                "decline_reason",
                "responded_at",
                "responded_by",
                "updated_at",
            ]
        )
        _file(
            actor,
            referral,
            "case.referral_decline",
            {
                "status": [ReferralStatus.PENDING, ReferralStatus.DECLINED],
                "decline_reason": [None, referral.decline_reason],
            },
        )
    return referral


def referral_complete(*, actor: "User", referral: Referral, outcome: str) -> Referral:
    """Report that the service was provided, with its outcome."""
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe the outcome of the service.")})
    with transaction.atomic():
        referral = _lock_for(actor, referral, "complete")
        referral.status, referral.outcome = ReferralStatus.COMPLETED, outcome.strip()
        referral.completed_at = timezone.now()
        referral.save(update_fields=["status", "outcome", "completed_at", "updated_at"])
        _file(
            actor,
            referral,
            "case.referral_complete",
            {
                "status": [ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED],
                "outcome": [None, referral.outcome],
            },
        )
    return referral


def referral_cancel(*, actor: "User", referral: Referral, reason: str) -> Referral:
    """Withdraw a referral that is not finished; a waiting approval is withdrawn with it."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is cancelled.")})
    with transaction.atomic():
        referral = _lock_for(actor, referral, "cancel")
        before = referral.status
        referral.status, referral.cancel_reason = ReferralStatus.CANCELLED, reason.strip()
        referral.cancelled_at = timezone.now()
        referral.save(update_fields=["status", "cancel_reason", "cancelled_at", "updated_at"])
        CaseApproval.objects.filter(referral=referral, status=ApprovalStatus.PENDING).update(
            status=ApprovalStatus.WITHDRAWN, decided_at=referral.cancelled_at
        )
        _file(
            actor,
            referral,
            "case.referral_cancel",
            {
                "status": [before, ReferralStatus.CANCELLED],
                "cancel_reason": [None, referral.cancel_reason],
            },
        )
    return referral
