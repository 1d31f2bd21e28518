"""Reads about sites: the list with population against capacity, and a site's breakdown.

Population is derived from registrations: active people whose site it is. The list reads each
site's maintained headcount (camps.headcount: one row per site, whatever the number of people);
a site's breakdown by sex and age group is counted by the registry's census (camps.census),
because ages move with the calendar. Counts are figures, not records, so every agency working in
a site sees the site's whole population.
"""

import datetime
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from camps.census import AGE_GROUPS, Population, census
from camps.models import Site, SiteHeadcount
from protection import access

__all__ = [
    "AGE_GROUPS",
    "Population",
    "site_get",
    "site_list",
    "site_population",
    "sites_population",
]

if TYPE_CHECKING:
    from protection.accounts.models import User


def sites_population() -> Coalesce:
    """An annotation over sites: the site's active people, from its maintained headcount."""
    return Coalesce(F("headcount__individuals"), 0)


def site_list(*, user: "User") -> QuerySet[Site]:
    """Return the sites the user may see with their active population, by name."""
    return (
        access.sites_for(user)
        .select_related("site_type", "country", "managing_agency")
        .annotate(population=sites_population())
        .order_by("name")
    )


def site_get(*, user: "User", pk: int) -> Site:
    """Return one site the user may see, or 404."""
    queryset = access.sites_for(user).select_related("site_type", "country", "managing_agency")
    return get_object_or_404(queryset.prefetch_related("operating_agencies"), pk=pk)


def site_population(*, site: Site, today: datetime.date | None = None) -> Population:
    """Return the site's active population by sex and age group, and its households (from the
    maintained headcount), in two queries."""
    population = census().population(site=site, today=today or timezone.localdate())
    kept = SiteHeadcount.objects.filter(site=site).values_list("households", flat=True).first()
    population.households = kept or 0
    return population
