"""Forms of the safe-zone and corridor pages and admin: GeoJSON typed, drawn or uploaded."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from incidents.models import CorridorStatus
from incidents.zones import geometry
from protection.pages import PageForm

GEOJSON_HELP = _(
    "Paste GeoJSON (longitude first), or upload a .geojson file below; the map shows it once saved."
)


class GeometryInput(forms.Form):
    """A GeoJSON text area and a file: the file, when given, replaces the text."""

    geometry_field = "boundary"
    # The admin's change form of a corridor keeps its route as traced: nothing to read.
    geometry_required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.geometry_required:
            return data
        name = self.geometry_field
        upload = data.get(f"{name}_file")
        if upload:
            if upload.size > geometry.MAX_TEXT:
                message = _("The file is too large for a boundary or a route.")
                self.add_error(f"{name}_file", message)
                return data
            data[name] = upload.read().decode("utf-8", errors="replace")
        if not (data.get(name) or "").strip() and name not in self.errors:
            self.add_error(name, _("Paste the GeoJSON or upload a file."))
        return data


def _geometry_fields(label: Any) -> tuple[forms.CharField, forms.FileField]:
    text = forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "dir": "ltr", "spellcheck": "false"}),
        help_text=GEOJSON_HELP,
    )
    upload = forms.FileField(label=_("or a GeoJSON file"), required=False)
    return text, upload


class SafeZoneForm(GeometryInput, PageForm):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200)
    boundary, boundary_file = _geometry_fields(_("Boundary (GeoJSON Polygon)"))

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelChoiceField)
        site_field.queryset = sites if sites is not None else Site.objects.none()


class CorridorForm(GeometryInput, PageForm):
    geometry_field = "route"

    name = forms.CharField(label=_("Name"), max_length=200)
    site = forms.ModelChoiceField(label=_("From site"), queryset=Site.objects.none())
    destination_site = forms.ModelChoiceField(
        label=_("To site"), queryset=Site.objects.none(), required=False
    )
    destination_name = forms.CharField(label=_("Or to place"), max_length=200, required=False)
    route, route_file = _geometry_fields(_("Route (GeoJSON LineString)"))
    status = forms.ChoiceField(label=_("Status"), choices=CorridorStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("site", "destination_site"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = sites if sites is not None else Site.objects.none()


class CorridorStatusForm(PageForm):
    status = forms.ChoiceField(
        label=_("New status"), choices=CorridorStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The agencies told read it in the app; it is not sent by e-mail."),
    )


class CorridorSubscriptionForm(PageForm):
    notify_in_app = forms.BooleanField(label=_("In the app"), required=False, initial=True)
    notify_email = forms.BooleanField(label=_("By e-mail"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("notify_in_app") or data.get("notify_email")):
            raise ValidationError(_("Choose at least one way to be told."))
        return data
