"""References that identify a person elsewhere: an external biometric system, identity papers.

The reference held is the person's id in the other system or the document's number, stored
encrypted, with a keyed hash of it (protection/crypto/blind_index.py) for exact-match search.
No biometric template, image or fingerprint is ever stored here: only the system's name and
the person's id in it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protection.crypto.fields import EncryptedTextField


class IdentifierKind(models.TextChoices):
    DOCUMENT = "document", _("Identity document")
    BIOMETRIC = "biometric", _("Biometric system reference")


class PersonIdentifier(models.Model):
    """A person's document number, or their id in an external biometric system."""

    person = models.ForeignKey(
        "cases.DisplacedPerson",
        on_delete=models.CASCADE,
        related_name="identifiers",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IdentifierKind.choices)
    # A DocumentType code for a document; the biometric system's name for a reference.
    scheme = models.CharField(_("document type or system"), max_length=60)
    number = EncryptedTextField(_("number or id"))
    number_hash = models.CharField(max_length=64, editable=False, db_index=True)
    issuing_country = models.ForeignKey(
        "camps.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issuing country"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "scheme", "number_hash"],
                name="person_identifier_once",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="document") | models.Q(issuing_country__isnull=True),
                name="identifier_country_for_documents",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.kind} {self.scheme}"

    @property
    def scheme_label(self) -> str:
        """Return the document type's name, or the biometric system's name as written."""
        from cases.models.registry import DocumentType

        if self.kind == IdentifierKind.DOCUMENT and self.scheme in DocumentType.values:
            return str(DocumentType(self.scheme).label)
        return self.scheme


class PersonPhoto(models.Model):
    """A person's photo, re-encoded without its metadata and stored encrypted.

    The image is held as base64 inside an encrypted column (AES-256-GCM, like every other
    sensitive column), so that a backup or a dump of the table shows no image, and anonymising
    or erasing the person deletes the row with the rest of their identity.
    """

    person = models.OneToOneField(
        "cases.DisplacedPerson",
        on_delete=models.CASCADE,
        related_name="photo",
        verbose_name=_("person"),
    )
    image = EncryptedTextField(_("image"))
    content_type = models.CharField(_("content type"), max_length=20, default="image/jpeg")
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.person_id}: photo"
