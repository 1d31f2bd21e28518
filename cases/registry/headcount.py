"""Keep each site's maintained counts (camps.headcount, camps.birth_months) in step with the
registry's writes.

Every service that adds people, changes whether a person is active, moves a household or
changes a person's sex or date of birth calls one of these inside its transaction. A household
counts while it has an active member, so a change that may empty a household (or bring it back)
locks the household's row first: two changes to members of the same household then see each
other's result, and the household is counted in or out once.

The counts by sex and month of birth move by one set-based statement per write, whatever the
number of people (an import adds a whole batch at once): the people are counted out before a
change and in after it, with their rows locked in between.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, IntegerField, QuerySet, Value
from django.db.models.functions import TruncMonth

from camps.headcount import headcount_adjust
from camps.models import SiteBirthMonthCount
from cases.models import DisplacedPerson, Household, PersonStatus
from protection.audit_chain import AUDIT_CHAIN, chain_lock

# The person's fields the counts by sex and month of birth depend on (besides site and status).
COUNTED_FIELDS = frozenset({"sex", "date_of_birth"})

_ADD_BIRTH_MONTHS = """
INSERT INTO {table} (site_id, sex, born_in, people)
SELECT {site}, sex, born_in, people FROM ({counted}) AS counted ORDER BY 1, 2, 3
ON CONFLICT (site_id, sex, born_in) DO UPDATE SET people = {table}.people + EXCLUDED.people
"""


def _birth_months_add(
    people: "QuerySet[DisplacedPerson]", *, sign: int, site_id: int | None = None
) -> None:
    """Add `sign` times the given people to their site's counts by sex and month of birth
    (to `site_id`'s, when given), in one statement."""
    columns: dict[str, Any] = {"born_in": TruncMonth("date_of_birth")}
    if site_id is not None:
        columns["count_site"] = Value(site_id, output_field=IntegerField())
    site_column = "site_id" if site_id is None else "count_site"
    counted = (
        people.order_by()
        .annotate(**columns)
        .values(site_column, "sex", "born_in")
        .annotate(people=Count("*") * Value(sign))
        .order_by()
    )
    sql, params = counted.query.sql_with_params()
    chain_lock(AUDIT_CHAIN, using=connection.alias)
    table = connection.ops.quote_name(SiteBirthMonthCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_ADD_BIRTH_MONTHS.format(table=table, site=site_column, counted=sql), params)


def household_lock(household_id: int) -> int:
    """Lock the household's row until the commit and return its site's id.

    FOR NO KEY UPDATE: new members may still reference the household meanwhile.
    """
    return int(
        Household.objects.select_for_update(no_key=True)
        .filter(pk=household_id)
        .values_list("site_id", flat=True)
        .get()
    )


def _active_members(household_id: int) -> int:
    return DisplacedPerson.objects.filter(
        household_id=household_id, status=PersonStatus.ACTIVE
    ).count()


def _active(**lookups: object) -> "QuerySet[DisplacedPerson]":
    return DisplacedPerson.objects.filter(status=PersonStatus.ACTIVE, **lookups)


def households_registered(
    *, site_id: int, households: int, people: int, household_ids: Iterable[int]
) -> None:
    """Count new households (each with at least one member) and their people, all active."""
    headcount_adjust(site_id=site_id, individuals=people, households=households)
    _birth_months_add(_active(household_id__in=list(household_ids)), sign=1)


def members_activated(*, household_id: int, site_id: int, person_id: int, change: int) -> None:
    """Count the member of a household locked by household_lock who became active
    (`change` 1: added, or back) or stopped being active (-1: departed, died, ...)."""
    if not change:
        return
    active = _active_members(household_id)
    households = int(active > 0) - int(active - change > 0)
    headcount_adjust(site_id=site_id, individuals=change, households=households)
    _birth_months_add(DisplacedPerson.objects.filter(pk=person_id), sign=change)


def household_moved(*, household_id: int, from_site_id: int, to_site_id: int) -> None:
    """Move a locked household's active members (and the household) to another site's count;
    call once the members' site has changed."""
    active = _active_members(household_id)
    if not active or from_site_id == to_site_id:
        return
    # Lower site id first, so that two moves in opposite directions lock in the same order.
    for site_id, sign in sorted([(from_site_id, -1), (to_site_id, 1)]):
        headcount_adjust(site_id=site_id, individuals=sign * active, households=sign)
        members = _active(household_id=household_id)
        _birth_months_add(members, sign=sign, site_id=site_id)


def people_details_changing(person_ids: Iterable[int]) -> None:
    """Count the active people out of their counts by sex and month of birth before their sex,
    date of birth or site changes; lock their rows, so the change counts them in again
    (`people_details_changed`) from the state it counted out."""
    ids = sorted(person_ids)
    list(DisplacedPerson.objects.select_for_update(of=("self",)).filter(pk__in=ids).values("pk"))
    _birth_months_add(_active(pk__in=ids), sign=-1)


def people_details_changed(person_ids: Iterable[int]) -> None:
    """Count the active people in again once their sex, date of birth or site has changed."""
    _birth_months_add(_active(pk__in=sorted(person_ids)), sign=1)
