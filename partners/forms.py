"""Forms of the service directory pages: its filters, and a service of the user's agency."""

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import Sector, Service
from partners.services import SERVICE_FIELDS
from protection.pages import PageForm

if TYPE_CHECKING:
    from camps.models import Site


class ServiceSearchForm(PageForm):
    """Filters of the directory; every field is optional."""

    q = forms.CharField(label=_("Service name"), max_length=100, required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    site = forms.TypedChoiceField(label=_("Serves site"), coerce=int, required=False)
    accepting_referrals = forms.BooleanField(label=_("Accepting referrals only"), required=False)

    def __init__(
        self,
        *args: Any,
        sectors: list[Sector],
        sites: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        sector_field = self.fields["sector"]
        assert isinstance(sector_field, forms.ChoiceField)
        sector_field.choices = [("", _("Any")), *((s.code, s.label) for s in sectors)]
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [("", _("Any")), *sites]

    def filters(self) -> dict[str, str]:
        """Return the filters the service_list selector takes, leaving out the empty ones."""
        data = self.cleaned_data
        filters = {name: str(data[name]) for name in ("q", "sector", "site") if data.get(name)}
        if data.get("accepting_referrals"):
            filters["accepting_referrals"] = "true"
        return filters


class SectorChoiceField(forms.ModelChoiceField[Sector]):
    def label_from_instance(self, obj: Sector) -> str:
        return str(obj.label)


class ServiceForm(PageForm):
    """A service of the user's agency as the directory lists it."""

    name = forms.CharField(label=_("Name"), max_length=200)
    sector = SectorChoiceField(label=_("Sector"), queryset=Sector.objects.none())
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who the service is for, what it provides, opening hours, languages."),
    )
    sites: "forms.ModelMultipleChoiceField[Site]" = forms.ModelMultipleChoiceField(
        label=_("Sites served"),
        queryset=None,  # the sites the form offers: set by __init__
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked if the service reaches people wherever they live."),
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    accepting_referrals = forms.BooleanField(
        label=_("Accepting referrals"), required=False, initial=True
    )
    active = forms.BooleanField(
        label=_("Listed in the directory"),
        required=False,
        initial=True,
        help_text=_("Untick to withdraw the service from the directory."),
    )

    def __init__(
        self,
        *args: Any,
        sectors: QuerySet[Sector],
        sites: "QuerySet[Site]",
        editing: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        sector_field = self.fields["sector"]
        assert isinstance(sector_field, forms.ModelChoiceField)
        sector_field.queryset = sectors
        site_field = self.fields["sites"]
        assert isinstance(site_field, forms.ModelMultipleChoiceField)
        site_field.queryset = sites
        if not editing:
            # A new service is listed; withdrawing it is an edit.
            del self.fields["active"]

    @staticmethod
    def initial_for(service: Service) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(service, name) for name in SERVICE_FIELDS}
        initial["sites"] = list(service.sites.all())
        return initial

    def changes(self) -> dict[str, Any]:
        """Return the changed fields of the service and their new values, for service_update."""
        return {
            name: self.cleaned_data[name]
            for name in SERVICE_FIELDS
            if name in self.fields and name in self.changed_data
        }
