"""The form of an erasure on request: the reason as a code, an optional note, a confirmation."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.casework.anonymisation import ERASURE_NOTE_MAX_LENGTH
from cases.models import DisplacedPerson, ErasureReason
from protection.pages import PageForm


class PersonEraseForm(PageForm):
    """Why the record is erased, and the registration number typed again to confirm it."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "---------"), *ErasureReason.choices]
    )
    note = forms.CharField(
        label=_("Note for the data-protection officer"),
        max_length=ERASURE_NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Optional: how the request was made. Kept with the erasure, never in the audit trail."
        ),
    )
    confirm = forms.CharField(
        label=_("Registration number, to confirm"),
        max_length=20,
        help_text=_("Type the person's registration number: erasure cannot be undone."),
    )

    def __init__(self, *args: Any, person: DisplacedPerson, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm(self) -> str:
        value: str = self.cleaned_data["confirm"].strip().upper()
        if value != self.person.registration_number.upper():
            raise forms.ValidationError(_("This is not the person's registration number."))
        return value
