"""Choice fields and small helpers the casework forms share."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

BLANK: list[tuple[str, Any]] = [("", "---------")]


ANY: list[tuple[str, Any]] = [("", _("Any"))]


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UserChoiceField(forms.ModelChoiceField):
    """A user, shown by full name (or user name)."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.username)


class PersonChoiceField(forms.ModelMultipleChoiceField):
    """People, shown by name and registration number."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.registration_number})"


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.service.name}"


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.acronym})"


# --- lists -----------------------------------------------------------------------------------


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.agency} · {obj.sector}"
