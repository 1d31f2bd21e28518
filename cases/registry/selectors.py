"""Every non-trivial read of the registry, starting from the access policy.

The selectors that hand out people and households log the read (protection.reads): `*_get`
logs the record opened, `*_page` the rows of the page shown, `duplicate_candidates` the
possible duplicates put before an officer.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from cases.models import DisplacedPerson, Household, PersonSpecificNeed, Relationship
from cases.registry.filters import HouseholdFilter, PersonFilter
from protection import access
from protection.models import AccessPurpose
from protection.reads import log_read, page_read

if TYPE_CHECKING:
    from cases.registry.duplicates import Candidate
    from protection.accounts.models import User

PageT = TypeVar("PageT")


def person_list(
    *, user: "User", filters: dict[str, Any] | None = None
) -> QuerySet[DisplacedPerson]:
    """Return the people the user may see, filtered, newest first, ready for a list."""
    queryset = (
        access.people_for(user)
        .select_related("site", "household", "displacement_status")
        .order_by("-id")
    )
    if filters:
        filterset = PersonFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def person_page(
    *,
    user: "User",
    people: QuerySet[DisplacedPerson],
    paginate: Callable[[QuerySet[DisplacedPerson]], PageT],
    purpose: str = AccessPurpose.LIST,
) -> PageT:
    """Return the page of `people` (from person_list) and log every person on it."""
    return page_read(people, user=user, paginate=paginate, shown=lambda rows: rows, purpose=purpose)


def person_get(
    *,
    user: "User",
    pk: int,
    purpose: str = AccessPurpose.DETAIL,
    queryset: QuerySet[DisplacedPerson] | None = None,
) -> DisplacedPerson:
    """Return one person the user may see, or 404; log the read with `purpose`.

    By default the person comes with everything the page shows; an API view passes its own
    `queryset`, which must be a narrowing of person_list(user=user).
    """
    if queryset is None:
        queryset = (
            access.people_for(user)
            .select_related(
                "site",
                "household",
                "displacement_status",
                "nationality",
                "origin_country",
                "owning_agency",
                "consent_recorded_by",
                "created_by",
            )
            .prefetch_related(
                Prefetch(
                    "need_records",
                    queryset=PersonSpecificNeed.objects.select_related(
                        "need__category", "recorded_by"
                    ),
                ),
            )
        )
    person = get_object_or_404(queryset, pk=pk)
    log_read(user=user, objects=[person], purpose=purpose)
    return person


def person_housemates(*, user: "User", person: DisplacedPerson) -> list[DisplacedPerson]:
    """Return the other members of the person's household the user may see; log them listed."""
    housemates = list(
        access.people_for(user)
        .filter(household_id=person.household_id)
        .exclude(pk=person.pk)
        .order_by("id")
    )
    log_read(user=user, objects=housemates, purpose=AccessPurpose.LIST)
    return housemates


def duplicate_candidates(
    *, user: "User", candidates: Mapping[int, list["Candidate"]]
) -> Mapping[int, list["Candidate"]]:
    """Return the possible duplicates to show, logging each person once (DUPLICATE_CHECK)."""
    people = [match.person for matches in candidates.values() for match in matches]
    log_read(user=user, objects=people, purpose=AccessPurpose.DUPLICATE_CHECK)
    return candidates


def household_list(*, user: "User", filters: dict[str, Any] | None = None) -> QuerySet[Household]:
    """Return the households the user may see, with their heads, newest first."""
    heads = DisplacedPerson.objects.filter(relationship_to_head=Relationship.HEAD)
    queryset = (
        access.households_for(user)
        .select_related("site")
        .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
        .order_by("-id")
    )
    if filters:
        filterset = HouseholdFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def _heads(households: list[Household]) -> list[Household | DisplacedPerson]:
    """Return the households shown and the heads named with them (household_list's prefetch)."""
    return [
        record
        for household in households
        for record in (household, *getattr(household, "heads", []))
    ]


def household_page(
    *,
    user: "User",
    households: QuerySet[Household],
    paginate: Callable[[QuerySet[Household]], PageT],
    purpose: str = AccessPurpose.LIST,
) -> PageT:
    """Return the page of `households` (from household_list); log them and their heads."""
    return page_read(households, user=user, paginate=paginate, shown=_heads, purpose=purpose)


def household_get(*, user: "User", pk: int, purpose: str = AccessPurpose.DETAIL) -> Household:
    """Return one household the user may see, with its members, or 404.

    The household is logged with `purpose`, and its members, whose names it shows, as listed.
    """
    members = DisplacedPerson.objects.select_related("displacement_status").order_by("id")
    queryset = (
        access.households_for(user)
        .select_related("site", "created_by")
        .prefetch_related(Prefetch("members", queryset=members))
    )
    household = get_object_or_404(queryset, pk=pk)
    log_read(user=user, objects=[household], purpose=purpose)
    log_read(user=user, objects=household.members.all(), purpose=AccessPurpose.LIST)
    return household


def site_recent_registrations(
    *, user: "User", site_pk: int, rows: int
) -> tuple[list[Household], list[DisplacedPerson]]:
    """Return a site's latest households and people the user may see; log the people named."""
    site_filter = {"site": str(site_pk)}
    households = list(household_list(user=user, filters=site_filter)[:rows])
    people = list(person_list(user=user, filters=site_filter)[:rows])
    log_read(user=user, objects=[*_heads(households), *people], purpose=AccessPurpose.LIST)
    return households, people


def last_registration_site(*, user: "User") -> int | None:
    """Return the site of the last household this user registered, offered first next time."""
    return (
        Household.objects.filter(created_by=user)
        .order_by("-created_at")
        .values_list("site_id", flat=True)
        .first()
    )
