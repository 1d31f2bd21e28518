"""The census of sites: how many active people and households the registry holds at a site.

Registered with camps (camps.census) from the cases app's ready(): the camp pages, the sites
API and the daily population snapshot ask it, so that camps needs no import of the registry.
"""

import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q
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


_POPULATION = """
SELECT sex, CASE {groups} END, SUM(people) FROM (
    SELECT sex, born_in AS born, people FROM {counts}
    WHERE site_id = %s AND born_in NOT IN ({boundaries})
    UNION ALL
    SELECT sex, date_of_birth, 1 FROM {people}
    WHERE site_id = %s AND status = %s AND ({in_boundary_months})
) AS births GROUP BY 1, 2
"""


def _population_query(site_id: int, today: datetime.date) -> tuple[str, list[Any]]:
    """One query of a site's active people by sex and age group today (key None: not born
    yet); the first day of a month stands for every day of it but those an age boundary falls
    in, which are counted by exact date of birth."""
    _key, _label, youngest, _oldest = AGE_GROUPS[0]
    groups = ["WHEN born > %s THEN NULL"]
    group_params: list[Any] = [years_before(today, youngest)]
    for key, _label, _youngest, oldest in AGE_GROUPS:
        if oldest is None:
            groups.append("ELSE %s")
            group_params.append(key)
        else:
            groups.append("WHEN born > %s THEN %s")
            group_params += [years_before(today, oldest + 1), key]
    boundaries = sorted(
        {_month(years_before(today, youngest)) for _k, _l, youngest, _o in AGE_GROUPS}
    )
    months = [value for month in boundaries for value in (month, _next_month(month))]
    sql = _POPULATION.format(
        groups=" ".join(groups),
        counts=connection.ops.quote_name(SiteBirthMonthCount._meta.db_table),
        people=connection.ops.quote_name(DisplacedPerson._meta.db_table),
        boundaries=", ".join(["%s"] * len(boundaries)),
        in_boundary_months=" OR ".join(
            ["(date_of_birth >= %s AND date_of_birth < %s)"] * len(boundaries)
        ),
    )
    return sql, [*group_params, site_id, *boundaries, site_id, PersonStatus.ACTIVE, *months]


class RegistryCensus:
    """Counts from the registry's own tables: the partial index of active people by site and
    date of birth, which carries sex and household, answers them without reading a row."""

    def population(self, *, site: Site, today: datetime.date) -> Population:
        """The site's active population by sex and age group, in one query whatever its size
        (the households come from the site's maintained headcount, camps.headcount).

        The kept counts by sex and month of birth (camps.birth_months) give every month that
        lies wholly in one age group today; the few months an age boundary falls in (a
        birthday later this month moves a person to the next group) are counted from the
        people, by their exact date of birth (the index of active people by site and date of
        birth holds them together).
        """
        sql, params = _population_query(site.pk, today)
        population = Population(capacity=site.capacity)
        for key, _label, _youngest, _oldest in AGE_GROUPS:
            population.breakdown[key] = dict.fromkeys(Sex.values, 0)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for sex, group, people in cursor.fetchall():
                if group is not None and sex in Sex.values:
                    population.breakdown[group][sex] = int(people)
                    population.individuals += int(people)
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
