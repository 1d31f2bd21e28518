"""The form that adds an identity document or a biometric reference to a person."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from camps.models import Country
from cases.models import DocumentType, IdentifierKind
from cases.registry.identifiers import NUMBER_MAX_LENGTH, IdentifierData
from protection.pages import PageForm


class IdentifierForm(PageForm):
    """A document (its type, number, issuing country) or a biometric system and the id there."""

    kind = forms.ChoiceField(
        label=_("Kind"), choices=IdentifierKind.choices, widget=forms.RadioSelect
    )
    document_type = forms.ChoiceField(
        label=_("Document type"),
        choices=[("", "---------"), *DocumentType.choices],
        required=False,
    )
    system = forms.CharField(
        label=_("Biometric system"),
        max_length=60,
        required=False,
        help_text=_("Its name only: no fingerprint, iris or face image is stored here."),
    )
    number = forms.CharField(label=_("Number or id"), max_length=NUMBER_MAX_LENGTH)
    issuing_country = forms.ModelChoiceField(
        label=_("Issuing country"), queryset=Country.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["issuing_country"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Country.objects.filter(active=True).order_by("name")

    def data_for_service(self) -> IdentifierData:
        values = self.cleaned_data
        document = values["kind"] == IdentifierKind.DOCUMENT
        return IdentifierData(
            kind=values["kind"],
            scheme=values["document_type"] if document else values["system"],
            number=values["number"],
            issuing_country=values["issuing_country"],
        )
