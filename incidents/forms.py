"""Forms of the incident pages: the quick report, the list filters, the response update.

The report form fits a phone: the fields an officer always knows come first, the rest below.
Victims are typed as registration numbers (P-XXXX-XXXX), found among the people the officer
may see; a number of someone else's is refused like an unknown one.
"""

import datetime
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from cases.models import DisplacedPerson
from incidents.models import (
    DatePrecision,
    IncidentStatus,
    IncidentTaxonomy,
    IncidentType,
    InformationSource,
    PerpetratorCategory,
    Severity,
    Verification,
)
from incidents.reporting.services import IncidentData
from protection import access, bounds
from protection.bounds import VICTIMS_MAX
from protection.codes import PERSON_PREFIX, canonical_code
from protection.edit_forms import EditBaseForm
from protection.formats.fields import LocalDateTimeField
from protection.pages import date_field, print_selects

if TYPE_CHECKING:
    from protection.accounts.models import User


def registration_numbers(text: str) -> tuple[list[str], list[str]]:
    """Split typed text into canonical registration numbers and the pieces that are not."""
    numbers, invalid = [], []
    for piece in re.split(r"[,;\n]+", text.upper()):
        if not re.sub(r"[^0-9A-Z]", "", piece):
            continue
        number = canonical_code(piece, prefixes=(PERSON_PREFIX,))
        if number:
            numbers.append(number)
        else:
            invalid.append(piece.strip())
    return numbers, invalid


class IncidentTypeField(forms.ModelChoiceField[IncidentType]):
    """Incident types grouped by taxonomy, each label in the active language."""

    def label_from_instance(self, obj: IncidentType) -> str:
        return str(obj.label)


def _grouped_types(queryset: QuerySet[IncidentType]) -> list[tuple[Any, Any]]:
    groups: list[tuple[Any, Any]] = [("", "---------")]
    for value, label in IncidentTaxonomy.choices:
        items = [(t.pk, t.label) for t in queryset if t.taxonomy == value]
        if items:
            groups.append((label, items))
    return groups


class IncidentReportForm(forms.Form):
    incident_type = IncidentTypeField(
        label=_("What happened"), queryset=IncidentType.objects.filter(active=True)
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=Severity.SERIOUS,
    )
    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("Leave empty only if it happened outside the sites: then give coordinates."),
    )
    # Typed day first on 24 hours in the page's language, not the browser's datetime picker.
    occurred_at = LocalDateTimeField(label=_("When it happened"))
    occurred_precision = forms.ChoiceField(
        label=_("How precisely is the time known"),
        choices=DatePrecision.choices,
        initial=DatePrecision.EXACT,
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    female_children = forms.IntegerField(
        label=_("Girls"), min_value=0, max_value=VICTIMS_MAX, initial=0
    )
    male_children = forms.IntegerField(
        label=_("Boys"), min_value=0, max_value=VICTIMS_MAX, initial=0
    )
    female_adults = forms.IntegerField(
        label=_("Women"), min_value=0, max_value=VICTIMS_MAX, initial=0
    )
    male_adults = forms.IntegerField(label=_("Men"), min_value=0, max_value=VICTIMS_MAX, initial=0)
    sex_or_age_unknown = forms.IntegerField(
        label=_("Sex or age unknown"), min_value=0, max_value=VICTIMS_MAX, initial=0
    )
    victims = forms.CharField(
        label=_("Registered victims"),
        required=False,
        help_text=_("Registration numbers, separated by commas, e.g. P-7XK2-M9QD."),
    )
    perpetrator_category = forms.ModelChoiceField(
        label=_("Perpetrator"),
        queryset=PerpetratorCategory.objects.filter(active=True),
    )
    source = forms.ChoiceField(label=_("Source of information"), choices=InformationSource.choices)
    verification = forms.ChoiceField(
        label=_("Verification"), choices=Verification.choices, initial=Verification.REPORTED
    )
    location_detail = forms.CharField(label=_("Place"), required=False, max_length=200)
    latitude = bounds.latitude_form_field(label=_("Latitude"), required=False)
    longitude = bounds.longitude_form_field(label=_("Longitude"), required=False)
    admin1 = forms.CharField(label=_("Admin level 1"), required=False, max_length=120)
    admin2 = forms.CharField(label=_("Admin level 2"), required=False, max_length=120)
    actions_taken = forms.CharField(
        label=_("Actions taken"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, user: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        site_field: Any = self.fields["site"]
        site_field.queryset = access.sites_for(user).order_by("name")
        type_field: Any = self.fields["incident_type"]
        type_field.choices = _grouped_types(type_field.queryset)
        perpetrator_field: Any = self.fields["perpetrator_category"]
        perpetrator_field.label_from_instance = lambda obj: str(obj.label)
        if not self.is_bound:
            self.initial.setdefault(
                "occurred_at", timezone.localtime().replace(second=0, microsecond=0)
            )

    def clean_victims(self) -> list[DisplacedPerson]:
        numbers, invalid = registration_numbers(self.cleaned_data.get("victims") or "")
        if invalid:
            raise forms.ValidationError(
                _("Not registration numbers: %(items)s.") % {"items": ", ".join(invalid)}
            )
        people = list(access.people_for(self.user).filter(registration_number__in=numbers))
        unknown = sorted(set(numbers) - {p.registration_number for p in people})
        if unknown:
            raise forms.ValidationError(
                _("No one your agency registered has these numbers: %(items)s.")
                % {"items": ", ".join(unknown)}
            )
        return people

    def incident_data(self) -> IncidentData:
        """Return the service's input for the validated form."""
        values = self.cleaned_data
        return IncidentData(
            incident_type=values["incident_type"],
            severity=values["severity"],
            occurred_at=values["occurred_at"],
            occurred_precision=values["occurred_precision"],
            perpetrator_category=values["perpetrator_category"],
            source=values["source"],
            description=values["description"],
            site=values.get("site"),
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            admin1=values.get("admin1") or "",
            admin2=values.get("admin2") or "",
            location_detail=values.get("location_detail") or "",
            victims=values.get("victims") or [],
            female_children=values["female_children"],
            male_children=values["male_children"],
            female_adults=values["female_adults"],
            male_adults=values["male_adults"],
            sex_or_age_unknown=values["sex_or_age_unknown"],
            verification=values["verification"],
            actions_taken=values.get("actions_taken") or "",
        )


class IncidentFilterForm(forms.Form):
    """The list's filters; only what the anonymised incident shows can be filtered on."""

    type = forms.ChoiceField(label=_("Type"), required=False)
    severity = forms.TypedChoiceField(
        label=_("Minimum severity"),
        choices=[("", _("Any")), *Severity.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    occurred_from = date_field(label=_("From"))
    occurred_to = date_field(label=_("Until"))
    verification = forms.ChoiceField(
        label=_("Verification"), choices=[("", _("Any")), *Verification.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *IncidentStatus.choices], required=False
    )
    involves_children = forms.BooleanField(label=_("Involves children"), required=False)

    def __init__(self, *args: Any, user: "User", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field: Any = self.fields["type"]
        type_field.choices = [("", _("Any"))] + [
            (t.code, t.label) for t in IncidentType.objects.filter(active=True)
        ]
        site_field: Any = self.fields["site"]
        site_field.choices = [("", _("Any"))] + [
            (s.pk, str(s)) for s in access.sites_for(user).order_by("name")
        ]
        print_selects(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
            self.add_error("occurred_to", _("The end of the range is before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """Return the filters for the incident_list selector (empty ones left out)."""
        data = self.cleaned_data
        filters: dict[str, Any] = {}
        for name in ("type", "site", "verification", "status"):
            if data.get(name):
                filters[name] = data[name]
        if data.get("severity"):
            filters["min_severity"] = data["severity"]
        for name in ("occurred_from", "occurred_to"):
            if data.get(name):
                filters[name] = data[name].isoformat()
        if data.get("involves_children"):
            filters["involves_children"] = "true"
        return filters


class IncidentUpdateForm(EditBaseForm):
    """The response's fields, with the base they were opened with (protection.edit_forms)."""

    EDITED = ("status", "verification", "actions_taken")

    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    actions_taken = forms.CharField(
        label=_("Actions taken"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
