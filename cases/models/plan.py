"""The work on a case as it goes on: the actions of its plan, follow-up contacts and notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models.casework import ProtectionCase
from protection.crypto.fields import EncryptedTextField


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
    description = EncryptedTextField(_("description"))
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
    notes = EncryptedTextField(_("notes"))
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
    text = EncryptedTextField(_("note"))
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
