"""Filters of the sites list (the API's query parameters)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from camps.models import Site, SiteStatus


class SiteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SiteStatus.choices, label=_("Status"))
    site_type = django_filters.CharFilter(field_name="site_type__code", label=_("Site type code"))
    country = django_filters.CharFilter(
        field_name="country__code", label=_("Country code (ISO alpha-3)")
    )
    managing_agency = django_filters.NumberFilter(
        field_name="managing_agency_id", label=_("Managing agency id")
    )

    class Meta:
        model = Site
        fields = ["status", "site_type", "country", "managing_agency"]
