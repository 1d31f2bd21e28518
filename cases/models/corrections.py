"""Corrections of a person's record made on their request, with the reason given."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CorrectionReason(models.TextChoices):
    """Why a field of a person's record was corrected (the audit trail keeps the code)."""

    PERSON_REQUEST = "person_request", _("The person asked for the correction")
    DOCUMENT_SHOWN = "document_shown", _("A document shows the right value")
    RECORDING_ERROR = "recording_error", _("Recorded wrongly at registration")
    CHANGED_CIRCUMSTANCES = "changed_circumstances", _("The person's circumstances changed")
    LEGAL_DECISION = "legal_decision", _("A legal or administrative decision")


class PersonCorrection(models.Model):
    """One field of a person's record corrected, why, by whom and when.

    The old and new values are not kept here (the record holds the new one; the audit trail a
    keyed hash of both); the note is the officer's own words, erased with the person.
    """

    person = models.ForeignKey(
        "cases.DisplacedPerson",
        on_delete=models.CASCADE,
        related_name="corrections",
        verbose_name=_("person"),
    )
    field_name = models.CharField(_("field corrected"), max_length=50)
    reason = models.CharField(_("reason"), max_length=30, choices=CorrectionReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    corrected_at = models.DateTimeField(_("corrected at"), auto_now_add=True)

    class Meta:
        ordering = ["-corrected_at", "-id"]
        verbose_name = _("correction of a person's record")
        verbose_name_plural = _("corrections of people's records")
        indexes = [models.Index(fields=["person", "-corrected_at"], name="correction_person_idx")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.field_name} ({self.reason})"
