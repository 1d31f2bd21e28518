"""The public reporting form, and the officer's triage forms."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from incidents.models import ConcernKind, IncidentType, PerpetratorCategory, Severity
from protection.formats.fields import LocalDateField
from protection.pages import PageForm


class ConcernForm(PageForm):
    """What, where, when, and a contact if the reporter wants news (never required)."""

    site = forms.ModelChoiceField(
        label=_("Where"),
        queryset=Site.objects.none(),
        empty_label=_("Choose the place"),
    )
    kind = forms.ChoiceField(
        label=_("What happened"), choices=ConcernKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Tell us what happened"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Do not write your name unless you want to."),
    )
    occurred_on = LocalDateField(label=_("When"))
    contact = forms.CharField(
        label=_("How to reach you (optional)"),
        max_length=200,
        required=False,
        help_text=_("A phone number or a place. Leave it empty to stay anonymous."),
    )
    # Never seen by people (hidden by the page's style sheet): scripts fill it.
    website = forms.CharField(label=_("Leave this empty"), required=False)
    ticket = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = Site.objects.filter(status="open").order_by("name")
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})


class StatusForm(forms.Form):
    reference = forms.CharField(label=_("Your reference"), max_length=30)


class ToIncidentForm(PageForm):
    incident_type = forms.ModelChoiceField(
        label=_("Incident type"), queryset=IncidentType.objects.filter(active=True)
    )
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Severity.choices, coerce=int)
    perpetrator_category = forms.ModelChoiceField(
        label=_("Perpetrator category"), queryset=PerpetratorCategory.objects.filter(active=True)
    )


class CloseForm(PageForm):
    reason = forms.CharField(
        label=_("Why close it without an incident"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
