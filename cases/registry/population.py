"""The census of sites: how many active people and households the registry holds at a site.

Registered with camps (camps.census) from the cases app's ready(): the camp pages, the sites
API and the daily population snapshot ask it, so that camps needs no import of the registry.
"""

import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from camps.census import AGE_GROUPS, Population
from camps.models import Site, SiteBirthMonthCount
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


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=31)).replace(day=1)


class RegistryCensus:
    """Counts from the registry's own tables: the partial index of active people by site and
    date of birth, which carries sex and household, answers them without reading a row."""

    def population(self, *, site: Site, today: datetime.date) -> Population:
        """The site's active population by sex and age group, in two queries whatever its
        size (the households come from the site's maintained headcount, camps.headcount).

        The kept counts by sex and month of birth (camps.birth_months) give every month that
        lies wholly in one age group today; the few months an age boundary falls in (a
        birthday today or later this month moves a person to the next group) are counted
        from the people, by their exact date of birth.
        """
        boundaries = {_month(years_before(today, youngest)) for _k, _l, youngest, _o in AGE_GROUPS}
        boundaries |= {
            _month(years_before(today, oldest + 1))
            for _k, _l, _y, oldest in AGE_GROUPS
            if oldest is not None
        }
        kept, counted = {}, {}
        for key, _label, youngest, oldest in AGE_GROUPS:
            within = Q(born_in__lt=_month(years_before(today, youngest)))
            if oldest is not None:
                within &= Q(born_in__gt=_month(years_before(today, oldest + 1)))
            for sex in Sex.values:
                name = f"{key}__{sex}"
                kept[name] = Sum("people", filter=within & Q(sex=sex), default=0)
                counted[name] = Count(
                    "id", filter=Q(sex=sex) & _age_group_q(youngest, oldest, today)
                )
        in_boundary_months = Q()
        for month in boundaries:
            in_boundary_months |= Q(date_of_birth__gte=month, date_of_birth__lt=_next_month(month))
        totals = SiteBirthMonthCount.objects.filter(site=site).aggregate(**kept)
        boundary = (
            DisplacedPerson.objects.filter(site=site, status=PersonStatus.ACTIVE)
            .filter(in_boundary_months)
            .aggregate(**counted)
        )
        population = Population(capacity=site.capacity)
        for name, value in totals.items():
            group, sex = name.split("__")
            people = value + boundary[name]
            population.breakdown.setdefault(group, {})[sex] = people
            population.individuals += people
        return population

    def birth_months(self, *, site_id: int) -> dict[tuple[str, datetime.date], int]:
        """Count the site's active people by (sex, first day of the month of birth), from
        scratch; leave out the empty ones."""
        rows = (
            DisplacedPerson.objects.filter(site_id=site_id, status=PersonStatus.ACTIVE)
            .annotate(born_in=TruncMonth("date_of_birth"))
            .order_by()
            .values_list("sex", "born_in")
            .annotate(people=Count("*"))
        )
        return {(sex, born_in): people for sex, born_in, people in rows}

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
