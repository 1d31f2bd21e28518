"""Filters of the agencies, the service directory and the data-sharing agreements, shared by
the pages and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from partners.models import AgencyType, DataSharingAgreement, PartnerAgency, Service


class AgencyFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="agency_type", choices=AgencyType.choices, label=_("Agency type")
    )
    sector = django_filters.CharFilter(
        field_name="sectors__code", label=_("Sector code"), distinct=True
    )

    class Meta:
        model = PartnerAgency
        fields = ["type", "sector"]


class ServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    sector = django_filters.CharFilter(field_name="sector__code", label=_("Sector code"))
    agency = django_filters.NumberFilter(field_name="agency_id", label=_("Agency"))
    site = django_filters.NumberFilter(method="filter_site", label=_("Serves site"))
    accepting_referrals = django_filters.BooleanFilter(label=_("Accepting referrals"))

    class Meta:
        model = Service
        fields = ["q", "sector", "agency", "site", "accepting_referrals"]

    def filter_site(self, queryset: QuerySet[Service], name: str, value: int) -> QuerySet[Service]:
        """Keep the services that list the site, and those that serve every site."""
        listing = Service.sites.through.objects.filter(site_id=value).values("service_id")
        anywhere = Service.sites.through.objects.values("service_id")
        return queryset.filter(Q(pk__in=listing) | ~Q(pk__in=anywhere))


class AgreementFilter(django_filters.FilterSet):
    agency = django_filters.NumberFilter(method="filter_agency", label=_("With agency (id)"))
    in_force = django_filters.BooleanFilter(label=_("Active and valid today"))

    class Meta:
        model = DataSharingAgreement
        fields = ["agency", "in_force"]

    def filter_agency(
        self, queryset: QuerySet[DataSharingAgreement], name: str, value: int
    ) -> QuerySet[DataSharingAgreement]:
        return queryset.filter(Q(agency_one_id=value) | Q(agency_two_id=value))
