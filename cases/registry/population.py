"""The census of sites: how many active people and households the registry holds at a site.

Registered with camps (camps.census) from the cases app's ready(): the camp pages, the sites
API and the daily population snapshot ask it, so that camps needs no import of the registry.
"""

import datetime
from typing import Any

from django.db.models import Count, Q

from camps.census import AGE_GROUPS, Population
from camps.models import Site
from cases.models import DisplacedPerson, PersonStatus, Sex
from cases.registry.selectors import site_recent_registrations
from protection.dates import years_before


def _age_group_q(youngest: int, oldest: int | None, today: datetime.date) -> Q:
    """People whose age today lies in [youngest, oldest]."""
    condition = Q(date_of_birth__lte=years_before(today, youngest))
    if oldest is not None:
        born_after = years_before(today, oldest + 1)
        condition &= Q(date_of_birth__gt=born_after)
    return condition


class RegistryCensus:
    """Counts from the registry's own tables: the partial index of active people by site,
    which carries sex, date of birth and household, answers them without reading a row."""

    def population(self, *, site: Site, today: datetime.date) -> Population:
        """The site's active population by sex and age group, in one query (the households
        come from the site's maintained headcount, camps.headcount)."""
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
        return population

    def headcount(self, *, site_id: int) -> tuple[int, int]:
        """Count the site's active people and the households with any, from scratch."""
        counts = DisplacedPerson.objects.filter(
            site_id=site_id, status=PersonStatus.ACTIVE
        ).aggregate(individuals=Count("*"), households=Count("household_id", distinct=True))
        return counts["individuals"], counts["households"]

    def recent_registrations(
        self, *, user: Any, site_pk: int, rows: int
    ) -> tuple[list[Any], list[Any]]:
        """The site's latest households and people the user may see; the reads are logged."""
        households, people = site_recent_registrations(user=user, site_pk=site_pk, rows=rows)
        return list(households), list(people)
