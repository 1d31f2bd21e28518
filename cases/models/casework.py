"""Protection cases and their assessments: the file of work on one person at risk.

What a case worker does to a case is recorded by the services in cases.casework; every change
also leaves an audit event filed under the case, from which the case timeline is read. The
case's plan and follow-ups (plan.py), referrals (referrals.py) and approvals (approvals.py)
have their own modules.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.registry import DisplacedPerson, SpecificNeed
from protection.crypto.fields import EncryptedTextField


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
    summary = EncryptedTextField(_("why the case is open"), blank=True)
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
    closure_note = EncryptedTextField(_("closure note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Retention and erasure (cases/casework/anonymisation.py).
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        editable=False,
        help_text=_("Kept as it is, whatever the retention rules say, until the hold is lifted."),
    )
    anonymised_on = models.DateField(_("anonymised on"), null=True, blank=True, editable=False)

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
            models.Index(
                fields=["closed_on"],
                condition=models.Q(status="closed", anonymised_on__isnull=True),
                name="case_retention_idx",
            ),
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
    risks_identified = EncryptedTextField(_("risks identified"))
    specific_needs = models.ManyToManyField(
        SpecificNeed, related_name="+", blank=True, verbose_name=_("specific needs")
    )
    immediate_safety_concern = models.BooleanField(_("immediate safety concern"), default=False)
    safety_plan = EncryptedTextField(_("safety plan"), blank=True)
    wishes = EncryptedTextField(_("the person's own wishes"), blank=True)
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
