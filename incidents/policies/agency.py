"""Who keeps an escalation policy: a platform superuser, or the administrators of its agency.

A mission-wide policy (no agency) may name any site and the staff of any agency, so only a
platform superuser keeps it. A policy kept by an agency is its administrators' to change: it
names at least one of the agency's sites (an empty list would match every site of the
mission) and tells only the agency's own staff.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from partners.models import PartnerAgency
from protection import access
from protection.accounts.services import is_agency_admin, is_superuser

if TYPE_CHECKING:
    from camps.models import Site
    from incidents.policies.services import TierSpec
    from protection.accounts.models import User


def policy_agency_for(actor: "User", requested: PartnerAgency | None) -> PartnerAgency | None:
    """Return the agency a new policy is kept by: the one a superuser names, else the actor's.

    Raise PermissionDenied unless the actor is a superuser or an administrator of that agency.
    """
    if is_superuser(actor):
        return requested
    agency = access.agency_of(actor)
    if not is_agency_admin(actor) or agency is None:
        raise PermissionDenied
    if requested is not None and requested.pk != agency.pk:
        raise PermissionDenied(_("Only a platform superuser keeps another agency's policies."))
    return agency


def policy_manager_require(actor: "User", agency_id: int | None) -> None:
    """Raise PermissionDenied unless the actor may change a policy kept by this agency."""
    if is_superuser(actor):
        return
    if agency_id is None or not is_agency_admin(actor) or actor.agency_id != agency_id:
        raise PermissionDenied


def policy_agency_errors(
    agency_id: int | None, *, sites: Sequence["Site"] | None, tiers: Sequence["TierSpec"] | None
) -> dict[str, Any]:
    """Return the errors of an agency's policy that reaches beyond the agency (none if it keeps
    to its own sites and staff, or if it is mission-wide)."""
    if agency_id is None:
        return {}
    errors: dict[str, Any] = {}
    if sites is not None:
        agency = PartnerAgency.objects.get(pk=agency_id)
        own = set(_agency_site_ids(agency))
        if not sites:
            errors["sites"] = _("Choose the sites of your agency that this policy covers.")
        elif any(site.pk not in own for site in sites):
            errors["sites"] = _("A policy of your agency covers only the sites it works in.")
    for spec in tiers or ():
        outside = (
            any(user.agency_id != agency_id for user in spec.users)
            or any(agency.pk != agency_id for agency, _role in spec.roles)
            or any(agency.pk != agency_id for agency in spec.agencies)
        )
        if outside:
            errors["tiers"] = _("A policy of your agency tells only your agency's staff.")
            break
    return errors


def _agency_site_ids(agency: PartnerAgency) -> list[int]:
    from camps.models import Site

    operating = Site.operating_agencies.through.objects.filter(partneragency_id=agency.pk)
    managed = Site.objects.filter(managing_agency_id=agency.pk).values_list("pk", flat=True)
    return [*managed, *operating.values_list("site_id", flat=True)]
