"""Escalation policies: which incidents or early warnings need somebody to act, and the tiers of
people, roles and agencies told in turn until somebody acknowledges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from incidents.models.reporting import IncidentType, Severity
from protection.accounts.models import Role


class PolicyTrigger(models.TextChoices):
    INCIDENT = "incident", _("Incidents reported")
    EARLY_WARNING = "early_warning", _("Early warnings (a rise of incidents at a site)")


class EscalationPolicy(models.Model):
    """Which incidents need somebody to act, whom to tell, and when to go up a tier."""

    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(
        _("applies to"),
        max_length=20,
        choices=PolicyTrigger.choices,
        default=PolicyTrigger.INCIDENT,
    )
    incident_types = models.ManyToManyField(
        IncidentType,
        blank=True,
        related_name="+",
        verbose_name=_("incident types"),
        help_text=_("Leave empty to match every type."),
    )
    minimum_severity = models.PositiveSmallIntegerField(
        _("minimum severity"), choices=Severity.choices, default=Severity.LOW
    )
    sites = models.ManyToManyField(
        "camps.Site",
        blank=True,
        related_name="+",
        verbose_name=_("sites"),
        help_text=_("Leave empty to match every site."),
    )
    ack_deadline_minutes = models.PositiveIntegerField(
        _("acknowledgement deadline (minutes)"),
        default=30,
        help_text=_("If nobody acknowledges within this time, the next tier is told."),
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kept by agency"),
        help_text=_(
            "The agency whose administrators keep this policy, for its own sites and staff. "
            "Empty: a mission-wide policy, kept by platform superusers."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ack_deadline_minutes__gte=1), name="policy_deadline_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EscalationTier(models.Model):
    """One level of a policy: who is told, by which channels, and how long they have."""

    policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("policy")
    )
    level = models.PositiveSmallIntegerField(_("tier"), help_text=_("1 is told first."))
    notify_in_app = models.BooleanField(_("in-app inbox"), default=True)
    notify_email = models.BooleanField(_("email"), default=True)
    notify_webhook = models.BooleanField(
        _("webhook"),
        default=False,
        help_text=_("Also call the webhook subscriptions of the agencies listed in this tier."),
    )
    ack_deadline_minutes = models.PositiveIntegerField(
        _("deadline at this tier (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the policy's deadline."),
    )

    class Meta:
        ordering = ["policy", "level"]
        verbose_name = _("escalation tier")
        verbose_name_plural = _("escalation tiers")
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="tier_level_once"),
            models.CheckConstraint(condition=models.Q(level__gte=1), name="tier_level_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: {self.level}"

    @property
    def deadline_minutes(self) -> int:
        return self.ack_deadline_minutes or self.policy.ack_deadline_minutes


class RecipientKind(models.TextChoices):
    USER = "user", _("A user")
    ROLE = "role", _("A role within an agency")
    AGENCY = "agency", _("A whole agency")


class TierRecipient(models.Model):
    """Who a tier tells: one user, the holders of a role in an agency, or a whole agency."""

    tier = models.ForeignKey(
        EscalationTier, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("tier")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RecipientKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, blank=True)

    class Meta:
        verbose_name = _("tier recipient")
        verbose_name_plural = _("tier recipients")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="user", user__isnull=False, agency__isnull=True, role="")
                | models.Q(kind="role", user__isnull=True, agency__isnull=False)
                & ~models.Q(role="")
                | models.Q(kind="agency", user__isnull=True, agency__isnull=False, role=""),
                name="tier_recipient_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == RecipientKind.USER:
            return str(self.user)
        if self.kind == RecipientKind.ROLE:
            return f"{self.agency}: {self.get_role_display()}"
        return str(self.agency)
