"""Every non-trivial read of the registry, starting from the access policy."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from cases.filters import HouseholdFilter, PersonFilter
from cases.models import DisplacedPerson, Household, PersonSpecificNeed, Relationship
from protection import access


def person_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[DisplacedPerson]:
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


def person_get(*, user: Any, pk: int) -> DisplacedPerson:
    """Return one person the user may see, with everything the detail shows, or 404."""
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
                queryset=PersonSpecificNeed.objects.select_related("need__category", "recorded_by"),
            ),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def household_list(*, user: Any, filters: dict[str, Any] | None = None) -> QuerySet[Household]:
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


def household_get(*, user: Any, pk: int) -> Household:
    """Return one household the user may see, with its members, or 404."""
    members = DisplacedPerson.objects.select_related("displacement_status").order_by("id")
    queryset = (
        access.households_for(user)
        .select_related("site", "created_by")
        .prefetch_related(Prefetch("members", queryset=members))
    )
    return get_object_or_404(queryset, pk=pk)
