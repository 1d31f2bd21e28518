"""Alerts: the notices a policy raises for an incident or an early warning, until acknowledged."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.models.policies import EscalationPolicy
from incidents.models.reporting import Incident, Severity


class AlertKind(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    EARLY_WARNING = "early_warning", _("Early warning")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Waiting for acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    EXHAUSTED = "exhausted", _("Not acknowledged by any tier")


class Alert(models.Model):
    """A notice somebody must act on, raised by a policy for an incident or an early warning."""

    key = models.CharField(
        _("deduplication key"),
        max_length=120,
        unique=True,
        editable=False,
        help_text=_("One alert per incident and policy, or per site, window and day."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("incident"),
    )
    site = models.ForeignKey(
        "camps.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("site"),
    )
    policy = models.ForeignKey(
        EscalationPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("policy"),
    )
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    tier = models.PositiveSmallIntegerField(_("current tier"), default=1)
    deadline_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True)
    exhausted_at = models.DateTimeField(_("exhausted at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="incident", incident__isnull=False)
                | models.Q(kind="early_warning", site__isnull=False),
                name="alert_has_subject",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="acknowledged")
                | models.Q(acknowledged_at__isnull=False),
                name="alert_acknowledged_has_time",
            ),
        ]
        indexes = [
            # The escalation scan reads only open alerts with a deadline.
            models.Index(
                fields=["deadline_at"],
                condition=models.Q(status="open", deadline_at__isnull=False),
                name="alert_due_idx",
            ),
            models.Index(fields=["incident"], name="alert_incident_idx"),
            models.Index(fields=["site", "-raised_at"], name="alert_site_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:alert_detail", args=[self.pk])
