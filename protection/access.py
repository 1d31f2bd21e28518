"""The one access policy: which records a user may see, and which actions their role allows.

Records belong to an agency. A user sees what their own agency owns, in the sites where that
agency manages or operates, as far as their role allows. Everything else is invisible: callers
turn a miss into a 404, never a 403, so that identifiers of other agencies' records do not leak.
Default is deny: a user without an active agency, or an anonymous user, sees nothing.
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from protection.accounts.models import Role

if TYPE_CHECKING:
    from camps.models import Site
    from cases.models import DisplacedPerson, Household
    from partners.models import PartnerAgency


class Action(StrEnum):
    """What a role may do; README shows the same matrix."""

    VIEW_AGENCIES = "view_agencies"
    VIEW_SITES = "view_sites"
    MANAGE_SITES = "manage_sites"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_PEOPLE = "view_people"
    REGISTER_PEOPLE = "register_people"
    EDIT_PEOPLE = "edit_people"
    CHANGE_PERSON_STATUS = "change_person_status"


_READ_ONLY = {Action.VIEW_AGENCIES, Action.VIEW_SITES, Action.VIEW_AGGREGATES}
_REGISTRY = {Action.VIEW_PEOPLE, Action.REGISTER_PEOPLE, Action.EDIT_PEOPLE}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(
        _READ_ONLY | _REGISTRY | {Action.MANAGE_SITES, Action.CHANGE_PERSON_STATUS}
    ),
    Role.SUPERVISOR: frozenset(_READ_ONLY | _REGISTRY | {Action.CHANGE_PERSON_STATUS}),
    Role.PROTECTION_OFFICER: frozenset(_READ_ONLY | _REGISTRY | {Action.CHANGE_PERSON_STATUS}),
    Role.CASE_WORKER: frozenset(_READ_ONLY | _REGISTRY),
    Role.PARTNER_API: frozenset(_READ_ONLY | {Action.VIEW_PEOPLE}),
    Role.ANALYST: frozenset(_READ_ONLY),
}


def agency_of(user: Any) -> "PartnerAgency | None":
    """Return the user's agency if the user is signed in and the agency is active."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    agency = user.agency if user.agency_id else None
    if agency is None or not agency.active:
        return None
    return agency


def can(user: Any, action: Action) -> bool:
    """Return whether the user's role allows the action (records are scoped separately)."""
    if agency_of(user) is None:
        return False
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def require(user: Any, action: Action) -> None:
    """Raise PermissionDenied unless the user's role allows the action."""
    if not can(user, action):
        raise PermissionDenied


def sites_for(user: Any) -> "QuerySet[Site]":
    """Return the sites the user's agency manages or operates in."""
    from camps.models import Site

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_SITES):
        return Site.objects.none()
    operating = Site.operating_agencies.through.objects.filter(partneragency_id=agency.pk).values(
        "site_id"
    )
    return Site.objects.filter(Q(managing_agency_id=agency.pk) | Q(pk__in=operating))


def households_for(user: Any) -> "QuerySet[Household]":
    """Return the households the user may see: own agency's, in the agency's sites."""
    from cases.models import Household

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_PEOPLE):
        return Household.objects.none()
    return Household.objects.filter(
        owning_agency_id=agency.pk, site__in=sites_for(user).values("pk")
    )


def people_for(user: Any) -> "QuerySet[DisplacedPerson]":
    """Return the people the user may see: own agency's, in the agency's sites."""
    from cases.models import DisplacedPerson

    agency = agency_of(user)
    if agency is None or not can(user, Action.VIEW_PEOPLE):
        return DisplacedPerson.objects.none()
    return DisplacedPerson.objects.filter(
        owning_agency_id=agency.pk, site__in=sites_for(user).values("pk")
    )


def site_allows_registration(user: Any, site: "Site") -> bool:
    """Return whether the user may register people at this site (a site of their agency)."""
    return can(user, Action.REGISTER_PEOPLE) and sites_for(user).filter(pk=site.pk).exists()
