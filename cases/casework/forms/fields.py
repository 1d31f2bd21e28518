"""Choice fields and small helpers the casework forms share."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import DisplacedPerson, Referral
from partners.models import PartnerAgency, Service
from protection.accounts.models import User

BLANK: list[tuple[str, Any]] = [("", "---------")]


ANY: list[tuple[str, Any]] = [("", _("Any"))]


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class UserChoiceField(forms.ModelChoiceField[User]):
    """A user, shown by full name (or user name)."""

    def label_from_instance(self, obj: User) -> str:
        return str(obj.get_full_name() or obj.username)


class PersonChoiceField(forms.ModelMultipleChoiceField[DisplacedPerson]):
    """People, shown by name and registration number."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: DisplacedPerson) -> str:
        return f"{obj.full_name} ({obj.registration_number})"


class ReferralChoiceField(forms.ModelChoiceField[Referral]):
    def label_from_instance(self, obj: Referral) -> str:
        return f"{obj.code} · {obj.service.name}"


class AgencyChoiceField(forms.ModelChoiceField[PartnerAgency]):
    def label_from_instance(self, obj: PartnerAgency) -> str:
        return f"{obj.name} ({obj.acronym})"


# --- lists -----------------------------------------------------------------------------------


class ServiceChoiceField(forms.ModelChoiceField[Service]):
    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.name} · {obj.agency} · {obj.sector}"
