"""Language and communication needs: the languages a person speaks and how to reach them.

The languages are a reference list (ISO 639 codes with their names) that admins edit; the
needs are one row per person, written by cases.registry.language and shown on the person's
and case's pages, in the API, and in a referral when its sender shares them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from protection.reference import ReferenceItem


class Language(ReferenceItem):
    """A language by its ISO 639 code: the two-letter ISO 639-1 code, else ISO 639-3."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")


class InterpreterSex(models.TextChoices):
    ANY = "any", _("Either")
    FEMALE = "female", _("A woman")
    MALE = "male", _("A man")


class Literacy(models.TextChoices):
    UNKNOWN = "unknown", _("Not assessed")
    NONE = "none", _("Cannot read or write")
    BASIC = "basic", _("Reads and writes a little")
    LITERATE = "literate", _("Reads and writes")


class PersonLanguageNeeds(models.Model):
    """What a person speaks, prefers, and needs to be understood and to understand."""

    person = models.OneToOneField(
        "cases.DisplacedPerson",
        on_delete=models.CASCADE,
        related_name="language_needs",
        verbose_name=_("person"),
    )
    languages = models.ManyToManyField(
        Language, related_name="+", blank=True, verbose_name=_("languages spoken")
    )
    preferred_language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred language"),
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_sex = models.CharField(
        _("interpreter's sex"),
        max_length=10,
        choices=InterpreterSex.choices,
        default=InterpreterSex.ANY,
        help_text=_("Where it matters, for instance for a survivor of sexual violence."),
    )
    literacy = models.CharField(
        _("literacy"), max_length=10, choices=Literacy.choices, default=Literacy.UNKNOWN
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("language and communication needs")
        verbose_name_plural = _("language and communication needs")
        constraints = [
            # A preference for the interpreter's sex only means something when one is needed.
            models.CheckConstraint(
                condition=models.Q(interpreter_needed=True) | models.Q(interpreter_sex="any"),
                name="interpreter_sex_needs_interpreter",
            ),
        ]
        indexes = [
            models.Index(
                fields=["person"],
                condition=models.Q(interpreter_needed=True),
                name="language_interpreter_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: language needs"
