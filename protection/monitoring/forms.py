"""The choice of a period and sites, for the indicators and the monitoring report."""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from protection.monitoring.indicators import Period, months_back
from protection.pages import date_field

DEFAULT_MONTHS = 6
LONGEST_DAYS = 731  # two years: the figures are monthly; a longer table helps nobody


class PeriodForm(forms.Form):
    """A period (both days included) and, optionally, some of the user's sites."""

    first = date_field(label=_("From"))
    last = date_field(label=_("To"))
    site = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("None chosen: every site of your agency."),
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field = self.fields["site"]
        assert isinstance(site_field, forms.ModelMultipleChoiceField)
        site_field.queryset = sites.order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        default = months_back(today, DEFAULT_MONTHS)
        first: datetime.date = cleaned.get("first") or default.first
        last: datetime.date = cleaned.get("last") or default.last
        if "first" in self.errors or "last" in self.errors:
            return cleaned
        if first > last:
            self.add_error("last", _("The end of the period comes before its start."))
        elif (last - first).days > LONGEST_DAYS:
            self.add_error("first", _("Choose a period of two years at most."))
        cleaned["first"], cleaned["last"] = first, last
        return cleaned

    def period(self) -> Period:
        return Period(first=self.cleaned_data["first"], last=self.cleaned_data["last"])

    def site_ids(self) -> list[int] | None:
        chosen = self.cleaned_data.get("site")
        return [site.pk for site in chosen] if chosen else None
