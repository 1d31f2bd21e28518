"""Referrals from a case's agency to a partner's service: consent, what is shared, the deadline."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.casework import ProtectionCase
from cases.models.registry import ConsentGivenBy
from protection.crypto.fields import EncryptedJSONField, EncryptedTextField


class ReferralUrgency(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    URGENT = "urgent", _("Urgent")
    ROUTINE = "routine", _("Routine")


class ReferralStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a supervisor's approval")
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which the receiving agency has the referral (it was sent).
SENT_REFERRAL_STATUSES = (
    ReferralStatus.PENDING,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
)


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", _("Informed consent")
    OVERRIDE = "override", _("Consent could not be obtained (override)")


class ConsentOverride(models.TextChoices):
    BEST_INTERESTS_OF_CHILD = "best_interests_child", _("Best interests of the child")
    VITAL_INTEREST = "vital_interest", _("Vital interest (life or safety at risk)")


class SharedField(models.TextChoices):
    """What an officer may choose to send with a referral: the minimum the partner needs."""

    FULL_NAME = "full_name", _("Name")
    REGISTRATION_NUMBER = "registration_number", _("Registration number")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth")
    AGE = "age", _("Age")
    SEX = "sex", _("Sex")
    NATIONALITY = "nationality", _("Nationality")
    LANGUAGES = "languages", _("Languages spoken")
    LANGUAGE_NEEDS = "language_needs", _("Language and communication needs")
    PHOTO = "photo", _("Photo")
    IDENTIFIERS = "identifiers", _("Identity documents and biometric references")
    PHONE = "phone", _("Phone number")
    LOCATION = "location", _("Site and shelter")
    DISPLACEMENT_STATUS = "displacement_status", _("Displacement status")
    SPECIFIC_NEEDS = "specific_needs", _("Specific needs")
    CASE_TYPE = "case_type", _("Case type")
    RISK_LEVEL = "risk_level", _("Risk level")
    SAFETY_CONCERN = "safety_concern", _("Immediate safety concern and safety plan")


class Referral(models.Model):
    """A request from a case's agency to a partner's service, with consent and a deadline."""

    code = models.CharField(_("referral code"), max_length=20, unique=True, editable=False)
    case = models.ForeignKey(
        ProtectionCase, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    service = models.ForeignKey(
        "partners.Service",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("service"),
    )
    # Both agencies as they were when the referral was made; a case transfer later does not
    # hand the referrals of the former owner to the new one.
    from_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="referrals_sent",
        verbose_name=_("referring agency"),
    )
    to_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("receiving agency"),
    )
    reason = EncryptedTextField(
        _("reason for referral"), help_text=_("The receiving agency reads this.")
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=ReferralUrgency.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    consent_basis = models.CharField(
        _("basis for sharing"), max_length=10, choices=ConsentBasis.choices
    )
    consent_given_by = models.CharField(
        _("consent given by"), max_length=20, choices=ConsentGivenBy.choices, blank=True
    )
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_obtained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent obtained by"),
    )
    # Lists of SharedField codes, validated by the referral services.
    consent_scope = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("consent covers"),
    )
    override_reason = models.CharField(
        _("override reason"), max_length=30, choices=ConsentOverride.choices, blank=True
    )
    override_justification = EncryptedTextField(_("why consent could not be obtained"), blank=True)
    override_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("override approved by"),
    )
    shared_fields = models.JSONField(
        default=list,
        blank=True,
        verbose_name=_("information shared"),
    )
    # What the receiving agency was sent, taken when the referral left: later edits of the
    # registry do not reach the partner.
    shared_data = EncryptedJSONField(_("shared information"), default=dict, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = EncryptedTextField(_("reason for cancelling"), blank=True)
    last_reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(consent_basis="consent")
                | (
                    models.Q(consent_date__isnull=False, consent_obtained_by__isnull=False)
                    & ~models.Q(consent_given_by="")
                ),
                name="referral_consent_recorded",
            ),
            models.CheckConstraint(
                condition=~models.Q(consent_basis="override")
                | (~models.Q(override_reason="") & ~models.Q(override_justification="")),
                name="referral_override_justified",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=SENT_REFERRAL_STATUSES)
                | models.Q(sent_at__isnull=False, response_due_at__isnull=False),
                name="referral_sent_has_deadline",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=SENT_REFERRAL_STATUSES, consent_basis="override")
                | models.Q(override_approved_by__isnull=False),
                name="referral_override_approved_before_sending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="referral_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | ~models.Q(outcome=""),
                name="referral_completed_has_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["to_agency", "status", "-id"], name="referral_inbox_idx"),
            models.Index(fields=["status", "response_due_at"], name="referral_due_idx"),
            models.Index(fields=["case", "-id"], name="referral_case_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_overdue(self) -> bool:
        """Return whether the receiving agency has not answered by the deadline."""
        return (
            self.status == ReferralStatus.PENDING
            and self.response_due_at is not None
            and self.response_due_at < timezone.now()
        )
