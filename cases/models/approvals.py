"""Decisions a supervisor of the owning agency takes before a case moves on."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.casework import ClosureReason, DurableSolution, ProtectionCase
from cases.models.referrals import Referral
from protection.crypto.fields import EncryptedTextField


class ApprovalKind(models.TextChoices):
    CLOSURE = "closure", _("Closing a high- or critical-risk case")
    CONSENT_OVERRIDE = "consent_override", _("Referral without the person's consent")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseApproval(models.Model):
    """A decision a supervisor of the owning agency must take before the case moves on."""

    case = models.ForeignKey(
        ProtectionCase, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ApprovalKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="approvals",
        verbose_name=_("referral"),
    )
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    durable_solution = models.CharField(
        _("durable solution"), max_length=30, choices=DurableSolution.choices, blank=True
    )
    closure_note = EncryptedTextField(_("closure note"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = EncryptedTextField(_("reason"), blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(kind="closure", status="pending"),
                name="one_pending_closure_per_case",
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(status="pending"),
                name="one_pending_approval_per_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="consent_override", referral__isnull=False)
                | models.Q(kind="closure", referral__isnull=True),
                name="approval_referral_for_override_only",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="closure") | ~models.Q(closure_reason=""),
                name="approval_closure_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="rejected") | ~models.Q(decision_note=""),
                name="approval_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "case"], name="approval_status_case_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id}: {self.status}"
