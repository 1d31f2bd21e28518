"""The form that links another report to an incident: which one, among those the user sees."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident
from protection import access

if TYPE_CHECKING:
    from protection.accounts.models import User


class LinkForm(forms.Form):
    other = forms.ModelChoiceField(
        queryset=Incident.objects.none(),
        widget=forms.HiddenInput,
        label=_("Other report"),
        error_messages={
            "required": _("Choose the report to link."),
            "invalid_choice": _("This report is not among those you may see."),
        },
    )

    def __init__(self, *args: Any, user: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = access.incidents_for(user).select_related("incident_type")
