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
from protection.datasets import (
    Dataset,
    Dimension,
    Figures,
    Listing,
    count_by,
    register_dataset,
)
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


def _population_key(
    site: str, sex: str, age_group: str, needs: str | None, status: str | None
) -> tuple[str, ...]:
    return (site, sex, age_group, needs or NO_NEED, status or "")


def _population_count(people: QuerySet[DisplacedPerson]) -> Mapping[tuple[str, ...], int]:
    annotated = people.annotate(
        age_group=age_group_case(timezone.localdate()), needs=_need_profile()
    )
    return count_by(
        annotated,
        "site__name",
        "sex",
        "age_group",
        "needs",
        "displacement_status__code",
        key=_population_key,
    )


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
            Column(_("Registration number"), "#beneficiary+id", "registration_number"),
            Column(_("Household"), "#household+id", "household__code"),
            Column(_("Site"), "#loc+name", "site__name"),
            Column(_("Admin level 1"), "#adm1+name", "site__admin1"),
            Column(_("Given name"), "#beneficiary+name+given", "given_name"),
            Column(_("Family name"), "#beneficiary+name+family", "family_name"),
            Column(_("Sex"), "#beneficiary+sex", "sex"),
            Column(_("Date of birth"), "#date+birth", "date_of_birth"),
            Column(_("Relationship to head"), "#beneficiary+relationship", "relationship_to_head"),
            Column(_("Displacement status"), "#status+displacement", "displacement_status__code"),
            Column(_("Status"), "#status+registration", "status"),
            Column(_("Date of arrival at site"), "#date+arrival", "arrived_on"),
            Column(_("Agency"), "#org+name", "owning_agency__acronym"),
            Column(_("Specific needs"), "#beneficiary+needs"),
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
            Column(_("Household code"), "#household+id", "code"),
            Column(_("Site"), "#loc+name", "site__name"),
            Column(_("Admin level 1"), "#adm1+name", "site__admin1"),
            Column(_("Shelter / plot"), "#loc+plot", "address"),
            Column(_("Registration date"), "#date+registered", "registered_on"),
            Column(_("Members"), "#affected+ind", "member_count"),
            Column(_("Agency"), "#org+name", "owning_agency__acronym"),
        ),
        rows=_households,
    ),
)


def register() -> None:
    register_dataset(PEOPLE)
    register_dataset(HOUSEHOLDS)
