"""What the registry's lists give to exports and statistics: people and households.

The population figures count active people by site, sex, age group, specific needs and
displacement status. A person with several needs is counted once, under the combination of
their need categories ("DS+SC"; "none" without any), so that every total is a number of people.
The individual rows hold what the list shows and the officer needs to act, never a phone, a
document number, a note or a reason typed in free text.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Case, CharField, Count, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from camps.census import AGE_GROUPS
from cases.models import DisplacedPerson, Household, PersonSpecificNeed, PersonStatus
from cases.registry.filters import HouseholdFilter, PersonFilter
from protection import access
from protection.accounts.models import User
from protection.datasets import Dataset, Dimension, Figures, Listing, register_dataset
from protection.dates import years_before
from protection.exporting import Column
from protection.roles import Action

NO_NEED = "none"

AGE = Dimension("age_group", _("Age group"), "#group+age")
SEX = Dimension("sex", _("Sex"), "#group+sex")
SITE = Dimension("site", _("Site"), "#loc+name")


def age_group_case(today: datetime.date) -> Case:
    """Return the age group of a person born on date_of_birth, as of today (AGE_GROUPS keys)."""
    whens = [
        When(date_of_birth__gt=years_before(today, oldest + 1), then=Value(key))
        for key, _label, _youngest, oldest in AGE_GROUPS
        if oldest is not None
    ]
    return Case(*whens, default=Value(AGE_GROUPS[-1][0]), output_field=CharField())


def _need_profile() -> Subquery:
    """The person's need categories, sorted and joined ("DS+SC"), in one correlated query."""
    profile = (
        PersonSpecificNeed.objects.filter(person_id=OuterRef("pk"))
        .order_by()
        .values("person_id")
        .annotate(
            codes=StringAgg(
                "need__category__code", "+", distinct=True, order_by="need__category__code"
            )
        )
        .values("codes")
    )
    return Subquery(profile, output_field=CharField())


def _population_rows(user: User) -> QuerySet[DisplacedPerson]:
    people: QuerySet[DisplacedPerson] = access.figures_for(access.Records.PEOPLE, user)
    return people.filter(status=PersonStatus.ACTIVE)


def _population_count(people: QuerySet[DisplacedPerson]) -> Mapping[tuple[str, ...], int]:
    rows = (
        people.order_by()
        .annotate(age_group=age_group_case(timezone.localdate()), needs=_need_profile())
        .values_list("site__name", "sex", "age_group", "needs", "displacement_status__code")
        .annotate(people=Count("id"))
    )
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for site, sex, age_group, needs, status, number in rows:
        counts[(site, sex, age_group, needs or NO_NEED, status or "")] += number
    return counts


def _person_rows(chunk: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
    """Add each person's specific-need codes (one query per chunk)."""
    needs: dict[int, list[str]] = defaultdict(list)
    for person_id, code in (
        PersonSpecificNeed.objects.filter(person_id__in=[row[0] for row in chunk])
        .order_by("need__code")
        .values_list("person_id", "need__code")
    ):
        needs[person_id].append(code)
    return [(*row[1:], " ".join(needs.get(row[0], []))) for row in chunk]


def _people(user: User) -> QuerySet[DisplacedPerson]:
    return access.people_for(user)


def _households(user: User) -> QuerySet[Household]:
    return access.households_for(user).annotate(member_count=Count("members"))


PEOPLE = Dataset(
    name="people",
    title=_("People"),
    view_action=Action.VIEW_PEOPLE,
    filterset=PersonFilter,
    list_url="cases:person_list",
    statistic="population",
    figures=Figures(
        dimensions=(
            SITE,
            SEX,
            AGE,
            Dimension("needs", _("Specific needs"), "#group+needs"),
            Dimension("displacement_status", _("Displacement status"), "#status+displacement"),
        ),
        count_label=_("People"),
        count_hxl="#affected+ind",
        rows=_population_rows,
        count=_population_count,
    ),
    listing=Listing(
        model=DisplacedPerson,
        columns=(
            Column(_("Registration number"), "#beneficiary+id"),
            Column(_("Household"), "#household+id"),
            Column(_("Site"), "#loc+name"),
            Column(_("Admin level 1"), "#adm1+name"),
            Column(_("Given name"), "#beneficiary+name+given"),
            Column(_("Family name"), "#beneficiary+name+family"),
            Column(_("Sex"), "#beneficiary+sex"),
            Column(_("Date of birth"), "#date+birth"),
            Column(_("Relationship to head"), "#beneficiary+relationship"),
            Column(_("Displacement status"), "#status+displacement"),
            Column(_("Status"), "#status+registration"),
            Column(_("Date of arrival at site"), "#date+arrival"),
            Column(_("Agency"), "#org+name"),
            Column(_("Specific needs"), "#beneficiary+needs"),
        ),
        fields=(
            "registration_number",
            "household__code",
            "site__name",
            "site__admin1",
            "given_name",
            "family_name",
            "sex",
            "date_of_birth",
            "relationship_to_head",
            "displacement_status__code",
            "status",
            "arrived_on",
            "owning_agency__acronym",
        ),
        rows=_people,
        render=_person_rows,
    ),
)

HOUSEHOLDS = Dataset(
    name="households",
    title=_("Households"),
    view_action=Action.VIEW_PEOPLE,
    filterset=HouseholdFilter,
    list_url="cases:household_list",
    listing=Listing(
        model=Household,
        columns=(
            Column(_("Household code"), "#household+id"),
            Column(_("Site"), "#loc+name"),
            Column(_("Admin level 1"), "#adm1+name"),
            Column(_("Shelter / plot"), "#loc+plot"),
            Column(_("Registration date"), "#date+registered"),
            Column(_("Members"), "#affected+ind"),
            Column(_("Agency"), "#org+name"),
        ),
        fields=(
            "code",
            "site__name",
            "site__admin1",
            "address",
            "registered_on",
            "member_count",
            "owning_agency__acronym",
        ),
        rows=_households,
        render=lambda chunk: [row[1:] for row in chunk],
    ),
)


def register() -> None:
    register_dataset(PEOPLE)
    register_dataset(HOUSEHOLDS)
