"""Protection casework: cases, assessments, plans, follow-ups, approvals and referrals.

What a case worker does to a case is recorded by the services in cases.casework; every change
also leaves an audit event filed under the case, from which the case timeline is read.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.registry import ConsentGivenBy, DisplacedPerson, SpecificNeed


class CaseType(models.TextChoices):
    GENERAL_PROTECTION = "general_protection", _("General protection")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    GBV = "gbv", _("Gender-based violence")
    LEGAL_ASSISTANCE = "legal_assistance", _("Legal assistance")
    DURABLE_SOLUTIONS = "durable_solutions", _("Durable solutions")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLAN = "case_plan", _("Case plan")
    IMPLEMENTATION = "implementation", _("Implementation")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class ClosureReason(models.TextChoices):
    NEEDS_MET = "needs_met", _("Protection needs met")
    DURABLE_SOLUTION = "durable_solution", _("Durable solution reached")
    TRANSFERRED = "transferred", _("Transferred to another organisation")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class DurableSolution(models.TextChoices):
    VOLUNTARY_REPATRIATION = "voluntary_repatriation", _("Voluntary repatriation")
    LOCAL_INTEGRATION = "local_integration", _("Local integration")
    RESETTLEMENT = "resettlement", _("Resettlement to a third country")
    RETURN = "return", _("Return to the place of origin (IDP)")
    SETTLEMENT_ELSEWHERE = "settlement_elsewhere", _("Settlement elsewhere in the country (IDP)")


class ProtectionCase(models.Model):
    """The file of work on one person at risk (and linked family members)."""

    case_number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    primary_person = models.ForeignKey(
        DisplacedPerson,
        on_delete=models.PROTECT,
        related_name="protection_cases",
        verbose_name=_("person"),
    )
    linked_persons = models.ManyToManyField(
        DisplacedPerson,
        related_name="linked_cases",
        blank=True,
        verbose_name=_("linked household members"),
    )
    case_type = models.CharField(_("case type"), max_length=30, choices=CaseType.choices)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    summary = models.TextField(_("why the case is open"), blank=True)
    owning_agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="protection_cases",
        verbose_name=_("owning agency"),
    )
    # Empty only between a transfer and the receiving supervisor's assignment.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("case worker"),
    )
    confidential = models.BooleanField(
        _("confidential"),
        default=False,
        help_text=_("Only the case worker and the agency's supervisors see a confidential case."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    durable_solution = models.CharField(
        _("durable solution"), max_length=30, choices=DurableSolution.choices, blank=True
    )
    closure_note = models.TextField(_("closure note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("protection case")
        verbose_name_plural = _("protection cases")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="closed", closed_on__isnull=False)
                    & ~models.Q(closure_reason="")
                )
                | (
                    ~models.Q(status="closed") & models.Q(closed_on__isnull=True, closure_reason="")
                ),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(closure_reason="durable_solution") & ~models.Q(durable_solution="")
                )
                | (~models.Q(closure_reason="durable_solution") & models.Q(durable_solution="")),
                name="case_durable_solution_with_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["owning_agency", "status", "-id"], name="case_agency_status_idx"),
            models.Index(fields=["assigned_to", "status"], name="case_assignee_status_idx"),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class CaseAssessment(models.Model):
    """What the case worker found: risks, specific needs, safety, and what the person wants."""

    case = models.ForeignKey(
        ProtectionCase, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("case")
    )
    assessed_on = models.DateField(_("assessment date"))
    risks_identified = models.TextField(_("risks identified"))
    specific_needs = models.ManyToManyField(
        SpecificNeed, related_name="+", blank=True, verbose_name=_("specific needs")
    )
    immediate_safety_concern = models.BooleanField(_("immediate safety concern"), default=False)
    safety_plan = models.TextField(_("safety plan"), blank=True)
    wishes = models.TextField(_("the person's own wishes"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(immediate_safety_concern=False) | ~models.Q(safety_plan=""),
                name="assessment_safety_concern_has_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.assessed_on}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class CaseAction(models.Model):
    """One action of the case plan, carried out by a user or through a referral."""

    case = models.ForeignKey(
        ProtectionCase, on_delete=models.CASCADE, related_name="actions", verbose_name=_("case")
    )
    description = models.TextField(_("description"))
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_actions",
        verbose_name=_("responsible"),
    )
    referral = models.ForeignKey(
        "cases.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("referral"),
    )
    due_on = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("case plan action")
        verbose_name_plural = _("case plan actions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(responsible_user__isnull=False, referral__isnull=True)
                | models.Q(responsible_user__isnull=True, referral__isnull=False),
                name="action_user_or_referral",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "due_on"], name="action_case_due_idx"),
            models.Index(fields=["status", "due_on"], name="action_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_overdue(self) -> bool:
        """Return whether the action is still open after its due date."""
        return self.status in OPEN_ACTION_STATUSES and self.due_on < timezone.localdate()


class ContactType(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE_VISIT = "office_visit", _("Office visit")
    PHONE_CALL = "phone_call", _("Phone call")
    MESSAGE = "message", _("Message")
    OTHER = "other", _("Other")


class CaseFollowUp(models.Model):
    """A contact with the person after the plan started, and when to see them next."""

    case = models.ForeignKey(
        ProtectionCase, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("case")
    )
    followed_up_on = models.DateField(_("date"))
    contact_type = models.CharField(_("contact type"), max_length=20, choices=ContactType.choices)
    notes = models.TextField(_("notes"))
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-followed_up_on", "-id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_follow_up_on__isnull=True)
                | models.Q(next_follow_up_on__gte=models.F("followed_up_on")),
                name="follow_up_next_after_date",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-followed_up_on", "-id"], name="follow_up_case_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.followed_up_on}"


class CaseNote(models.Model):
    """A free-text note on the case."""

    case = models.ForeignKey(
        ProtectionCase, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case")
    )
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"


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
    reason = models.TextField(
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
    override_justification = models.TextField(_("why consent could not be obtained"), blank=True)
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
    shared_data = models.JSONField(_("shared information"), default=dict, blank=True)
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
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
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
    closure_note = models.TextField(_("closure note"), blank=True)
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
    decision_note = models.TextField(_("reason"), blank=True)

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
