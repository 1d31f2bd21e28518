"""The words of a case's history that have no row of their own, kept with the case file.

The audit trail points, it does not copy: an audit event names the fields a step changed and
keeps a keyed hash of free text. A note, an assessment, an action, a follow-up or a referral
answer is read back from its own row; a reason for reopening, transferring or reassigning, a
summary as it changed, a closure note have none, so they are kept here, one row per audit
event, where they can be corrected or erased with the case file, unlike the append-only trail.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.casework import ProtectionCase
from protection.crypto.fields import EncryptedJSONField


class CaseEventText(models.Model):
    """The free text of one step of a case's history: {field: [before, after]}."""

    case = models.ForeignKey(
        ProtectionCase,
        on_delete=models.CASCADE,
        related_name="event_texts",
        verbose_name=_("case"),
    )
    event = models.OneToOneField(
        "protection.AuditEvent",
        on_delete=models.PROTECT,
        related_name="case_text",
        verbose_name=_("audit event"),
    )
    texts = EncryptedJSONField(_("texts"), default=dict)

    class Meta:
        verbose_name = _("case history text")
        verbose_name_plural = _("case history texts")

    def __str__(self) -> str:
        return f"{self.case_id} #{self.event_id}"
