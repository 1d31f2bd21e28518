"""The shape every admin-edited reference list shares: a stable code and translated labels.

Labels are data, not gettext strings, because admins edit them; each item carries its English
label and its French and Arabic labels, and `label` picks the one for the active language.
"""

from typing import ClassVar

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ReferenceItem(models.Model):
    """A coded item of a reference list; the code never changes once seeded."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    # Fields that records and partner systems refer to: they never change once created.
    stable_fields: ClassVar[tuple[str, ...]] = ("code",)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return the label in the active language, falling back to English."""
        language = (get_language() or "en")[:2]
        translated = {"fr": self.name_fr, "ar": self.name_ar}.get(language, "")
        return translated or self.name
