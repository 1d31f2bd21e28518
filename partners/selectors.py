"""Reads of the referral directory and of data-sharing agreements, from the access policy."""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from partners.filters import ServiceFilter
from partners.models import DataSharingAgreement, PartnerAgency, Service
from protection import access

if TYPE_CHECKING:
    from protection.accounts.models import User


def service_list(*, user: "User", filters: dict[str, Any] | None = None) -> QuerySet[Service]:
    """Return the referral directory as the user may read it, filtered."""
    queryset = (
        access.services_for(user)
        .select_related("agency", "sector")
        .prefetch_related("sites")
        .order_by("sector__sort_order", "name", "id")
    )
    if filters:
        filterset = ServiceFilter(filters, queryset=queryset)
        return filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def service_get(*, user: "User", pk: int) -> Service:
    """Return one service of the directory, or 404."""
    queryset = access.services_for(user).select_related("agency", "sector")
    return get_object_or_404(queryset.prefetch_related("sites"), pk=pk)


def agreements_between(
    agency_a: PartnerAgency, agency_b: PartnerAgency
) -> QuerySet[DataSharingAgreement]:
    """Return every agreement between the two agencies, in either order."""
    return DataSharingAgreement.objects.filter(
        Q(agency_one_id=agency_a.pk, agency_two_id=agency_b.pk)
        | Q(agency_one_id=agency_b.pk, agency_two_id=agency_a.pk)
    )


def agreement_covering(
    *,
    agency_a: PartnerAgency,
    agency_b: PartnerAgency,
    on: datetime.date,
    purpose: str,
    categories: Iterable[str],
) -> DataSharingAgreement | None:
    """Return an active agreement between the agencies that covers the day, purpose and data.

    Two agencies hold a handful of agreements at most, so the purposes and data categories are
    checked here rather than with JSON lookups that not every database supports.
    """
    needed = set(categories)
    in_force = (
        agreements_between(agency_a, agency_b)
        .filter(active=True, valid_from__lte=on, valid_to__gte=on)
        .order_by("-valid_to", "-id")
    )
    for agreement in in_force:
        if purpose in agreement.purposes and needed <= set(agreement.data_categories):
            return agreement
    return None
