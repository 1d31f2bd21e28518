"""Filters for the incident and alert lists, shared by the pages and the API.

Only what the anonymised incident shows can be filtered on (type, severity, site, date,
verification, status, child protection), so that a filter cannot reveal restricted details.
"""

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Incident,
    IncidentStatus,
    IncidentTaxonomy,
    Severity,
    Verification,
)
from protection.codes import INCIDENT_PREFIX, canonical_code


def canonical_reference(text: str) -> str | None:
    """Return the stored form of a typed incident reference (I-7XK2-M9QD), or None."""
    return canonical_code(text, prefixes=(INCIDENT_PREFIX,))


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


class IncidentFilter(django_filters.FilterSet):
    reference = django_filters.CharFilter(method="filter_reference", label=_("Reference"))
    type = django_filters.CharFilter(field_name="incident_type__code", label=_("Type code"))
    taxonomy = django_filters.ChoiceFilter(
        field_name="incident_type__taxonomy", choices=IncidentTaxonomy.choices, label=_("Taxonomy")
    )
    severity = django_filters.TypedChoiceFilter(
        choices=Severity.choices, coerce=int, label=_("Severity")
    )
    min_severity = django_filters.TypedChoiceFilter(
        field_name="severity",
        lookup_expr="gte",
        choices=Severity.choices,
        coerce=int,
        label=_("Minimum severity"),
    )
    site = django_filters.NumberFilter(field_name="site_id", label=_("Site"))
    occurred_from = django_filters.DateFilter(method="filter_from", label=_("Occurred from"))
    occurred_to = django_filters.DateFilter(method="filter_to", label=_("Occurred until"))
    verification = django_filters.ChoiceFilter(
        choices=Verification.choices, label=_("Verification")
    )
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices, label=_("Status"))
    involves_children = django_filters.BooleanFilter(label=_("Involves children"))

    class Meta:
        model = Incident
        fields = [
            "reference",
            "type",
            "taxonomy",
            "severity",
            "min_severity",
            "site",
            "occurred_from",
            "occurred_to",
            "verification",
            "status",
            "involves_children",
        ]

    def filter_reference(
        self, queryset: QuerySet[Incident], name: str, value: str
    ) -> QuerySet[Incident]:
        if not value.strip():
            return queryset
        reference = canonical_reference(value)
        return queryset.filter(reference=reference) if reference else queryset.none()

    def filter_from(
        self, queryset: QuerySet[Incident], name: str, value: datetime.date
    ) -> QuerySet[Incident]:
        # A range on the timestamp itself, so that the occurred_at index serves it.
        return queryset.filter(occurred_at__gte=_day_start(value))

    def filter_to(
        self, queryset: QuerySet[Incident], name: str, value: datetime.date
    ) -> QuerySet[Incident]:
        if value >= datetime.date.max:  # No day after it: the range has no end.
            return queryset
        return queryset.filter(occurred_at__lt=_day_start(value + datetime.timedelta(days=1)))


class AlertFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label=_("Kind"))
    site = django_filters.NumberFilter(field_name="site_id", label=_("Site"))

    class Meta:
        model = Alert
        fields = ["status", "kind", "site"]
