"""The 3W page's filters: a site of the user's, a sector, and the gaps only."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from partners.models import Sector
from protection.pages import PageForm


class WhoWhatWhereForm(PageForm):
    """Every field is optional; without any, the 3W of all the user's sites and sectors."""

    site = forms.TypedChoiceField(label=_("Site"), coerce=int, required=False, empty_value=None)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    gaps = forms.BooleanField(label=_("Gaps only"), required=False)

    def __init__(
        self, *args: Any, sectors: list[Sector], sites: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        sector_field = self.fields["sector"]
        assert isinstance(sector_field, forms.ChoiceField)
        sector_field.choices = [("", _("Any")), *((s.code, s.label) for s in sectors)]
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ChoiceField)
        site_field.choices = [("", _("Any")), *sites]
