"""Reads about sites: the list with population against capacity, and a site's breakdown.

Population is derived from registrations: active people whose site it is. Counts are figures,
not records, so every agency working in a site sees the site's whole population.
"""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from cases.models import DisplacedPerson, Household, PersonStatus, Sex
from protection import access
from protection.dates import years_before

if TYPE_CHECKING:
    from protection.accounts.models import User

# (key, label, youngest age, oldest age); None means no upper bound.
AGE_GROUPS: list[tuple[str, Any, int, int | None]] = [
    ("0_4", _("0-4"), 0, 4),
    ("5_11", _("5-11"), 5, 11),
    ("12_17", _("12-17"), 12, 17),
    ("18_59", _("18-59"), 18, 59),
    ("60_plus", _("60+"), 60, None),
]


def _age_group_q(youngest: int, oldest: int | None, today: datetime.date) -> Q:
    """People whose age today lies in [youngest, oldest]."""
    condition = Q(date_of_birth__lte=years_before(today, youngest))
    if oldest is not None:
        born_after = years_before(today, oldest + 1)
        condition &= Q(date_of_birth__gt=born_after)
    return condition


@dataclass
class Population:
    """A site's registered population by sex and age group, against its capacity."""

    capacity: int
    individuals: int = 0
    households: int = 0
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def over_capacity(self) -> bool:
        return self.individuals > self.capacity

    @property
    def occupancy_percent(self) -> int:
        return round(100 * self.individuals / self.capacity) if self.capacity else 0

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per age group, with a count per sex and a total, for display."""
        result = []
        for key, label, _youngest, _oldest in AGE_GROUPS:
            counts = self.breakdown.get(key, {})
            result.append({"key": key, "label": label, **counts, "total": sum(counts.values())})
        return result


def site_list(*, user: "User") -> QuerySet[Site]:
    """Return the sites the user may see with their active population, by name."""
    # One count per site from the (site, status) index, instead of joining every person to
    # the sites and grouping wide rows: that took seconds at 200,000 people.
    active_people = (
        DisplacedPerson.objects.filter(site=OuterRef("pk"), status=PersonStatus.ACTIVE)
        .order_by()
        .values("site")
        .annotate(count=Count("*"))
        .values("count")
    )
    return (
        access.sites_for(user)
        .select_related("site_type", "country", "managing_agency")
        .annotate(population=Coalesce(Subquery(active_people), 0))
        .order_by("name")
    )


def site_get(*, user: "User", pk: int) -> Site:
    """Return one site the user may see, or 404."""
    queryset = access.sites_for(user).select_related("site_type", "country", "managing_agency")
    return get_object_or_404(queryset.prefetch_related("operating_agencies"), pk=pk)


def site_population(*, site: Site, today: datetime.date | None = None) -> Population:
    """Return the site's active population by sex and age group, in two queries."""
    today = today or timezone.localdate()
    aggregates = {}
    for key, _label, youngest, oldest in AGE_GROUPS:
        for sex in Sex.values:
            aggregates[f"{key}__{sex}"] = Count(
                "id", filter=Q(sex=sex) & _age_group_q(youngest, oldest, today)
            )
    counts = DisplacedPerson.objects.filter(site=site, status=PersonStatus.ACTIVE).aggregate(
        **aggregates
    )
    population = Population(capacity=site.capacity)
    for name, value in counts.items():
        group, sex = name.split("__")
        population.breakdown.setdefault(group, {})[sex] = value
        population.individuals += value
    population.households = (
        Household.objects.filter(site=site, members__status=PersonStatus.ACTIVE).distinct().count()
    )
    return population
