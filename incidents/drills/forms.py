"""The form that starts a drill."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from incidents.drills.services import MAX_INCIDENTS, SCENARIO_MAX, DrillPlan
from incidents.models import IncidentType, Severity
from protection import access
from protection.accounts.models import User
from protection.pages import PageForm


class DrillStartForm(PageForm):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    scenario = forms.CharField(
        label=_("Scenario"),
        max_length=SCENARIO_MAX,
        help_text=_("What the simulated incident pretends happened; no real names."),
    )
    incident_type = forms.ModelChoiceField(
        label=_("Incident type"), queryset=IncidentType.objects.filter(active=True)
    )
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Severity.choices, coerce=int)
    incidents = forms.IntegerField(
        label=_("Simulated incidents"), min_value=1, max_value=MAX_INCIDENTS, initial=1
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = access.sites_for(user).order_by("name")

    def plan(self) -> DrillPlan:
        data = self.cleaned_data
        return DrillPlan(
            site=data["site"],
            scenario=data["scenario"],
            incident_type=data["incident_type"],
            severity=data["severity"],
            incidents=data["incidents"],
        )
