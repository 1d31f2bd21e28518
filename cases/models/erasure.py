"""Erasure on request: who asked a person's record to be anonymised, why, and who did it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.registry import DisplacedPerson


class ErasureReason(models.TextChoices):
    """Why a record is erased before its retention period ends (GDPR art. 17 grounds, in the
    words of the ICRC Handbook); the audit trail keeps this code, never the note."""

    SUBJECT_REQUEST = "subject_request", _("The person asked for their data to be erased")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("The person withdrew their consent")
    NO_LONGER_NEEDED = "no_longer_needed", _("The data is no longer needed for its purpose")
    UNLAWFULLY_HELD = "unlawfully_held", _("The data was recorded without a lawful basis")


class PersonErasure(models.Model):
    """One erasure on request of a person's record (cases/casework/anonymisation.py)."""

    person = models.OneToOneField(
        DisplacedPerson,
        on_delete=models.PROTECT,
        related_name="erasure",
        verbose_name=_("person"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ErasureReason.choices)
    # Kept here for the agency's data-protection officer; never copied to the audit trail.
    note = models.TextField(_("note"), blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("erased by"),
    )
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        verbose_name = _("erasure on request")
        verbose_name_plural = _("erasures on request")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.reason}"


class PersonOnHold(DisplacedPerson):
    """A person as the legal-hold admin shows them: by registration number, never by name."""

    class Meta:
        proxy = True
        verbose_name = _("legal hold on a person")
        verbose_name_plural = _("legal holds on people")

    def __str__(self) -> str:
        return self.registration_number
