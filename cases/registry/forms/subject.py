"""Forms of a person's data-subject report: why it is opened, and a correction on request."""

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import CorrectionReason
from cases.registry.corrections import NOTE_MAX_LENGTH, correctable_field_choices
from protection.pages import PageForm
from protection.subject_report import purpose_choices

BLANK: list[tuple[str, Any]] = [("", "---------")]


class SubjectReportPurposeForm(PageForm):
    """The purpose an officer must give before the report opens (kept in the access log)."""

    purpose = forms.ChoiceField(
        label=_("Why are you opening this report?"),
        widget=forms.RadioSelect,
        help_text=_("The purpose is recorded with your name in the file's access log."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = purpose_choices()


class PersonCorrectionForm(PageForm):
    """One field of a person's record to correct, the new value and the reason."""

    field = forms.ChoiceField(label=_("Field to correct"))
    value = forms.CharField(
        label=_("Correct value"),
        max_length=200,
        required=False,
        help_text=_(
            "Dates as YYYY-MM-DD; sex as female, male or unknown; countries as their "
            "three-letter code. Leave empty to clear an optional field."
        ),
    )
    reason = forms.ChoiceField(label=_("Reason for the correction"))
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How the correct value is known, e.g. 'Birth certificate shown'."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["field"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + [
            (name, capfirst(str(label))) for name, label in correctable_field_choices()
        ]
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ChoiceField)
        reason.choices = BLANK + list(CorrectionReason.choices)
