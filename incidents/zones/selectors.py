"""Reads of safe zones and corridors: those of the sites the user's agency works in.

Another agency's zone or corridor is not found (404). Neither holds anything about a person,
so reading one is not access-logged; a corridor's history is read with who decided each change.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from camps.models import Site
from incidents.models import Corridor, CorridorStatusChange, CorridorSubscription, SafeZone
from incidents.zones import geometry
from protection import access
from protection.access import Action

if TYPE_CHECKING:
    from protection.accounts.models import User


def safe_zone_list(*, user: "User", site_id: int | None = None) -> QuerySet[SafeZone]:
    """Return the safe zones of the user's sites, by name."""
    access.require(user, Action.VIEW_SITES)
    zones = SafeZone.objects.filter(site__in=access.sites_for(user).values("pk"))
    if site_id is not None:
        zones = zones.filter(site_id=site_id)
    return zones.select_related("site").order_by("name", "id")


def safe_zone_get(*, user: "User", pk: int) -> SafeZone:
    """Return one safe zone of the user's sites; 404 outside them."""
    return get_object_or_404(safe_zone_list(user=user), pk=pk)


def corridor_list(
    *, user: "User", status: str = "", site_id: int | None = None
) -> QuerySet[Corridor]:
    """Return the corridors leaving the user's sites, by name, optionally of one status."""
    access.require(user, Action.VIEW_SITES)
    corridors = Corridor.objects.filter(site__in=access.sites_for(user).values("pk"))
    if status:
        corridors = corridors.filter(status=status)
    if site_id is not None:
        corridors = corridors.filter(site_id=site_id)
    return corridors.select_related("site", "destination_site").order_by("name", "id")


def corridor_get(*, user: "User", pk: int) -> Corridor:
    """Return one corridor of the user's sites with its history; 404 outside them."""
    history = CorridorStatusChange.objects.select_related("decided_by").order_by(
        "-decided_at", "-id"
    )
    return get_object_or_404(
        corridor_list(user=user)
        .select_related("status_decided_by")
        .prefetch_related(Prefetch("history", queryset=history)),
        pk=pk,
    )


def corridor_subscription_of(*, user: "User", corridor: Corridor) -> CorridorSubscription | None:
    """Return the user's agency's subscription to the corridor, if it has one."""
    agency = access.agency_of(user)
    if agency is None:
        return None
    return CorridorSubscription.objects.filter(corridor=corridor, agency=agency).first()


def safe_zone_at(*, latitude: Any, longitude: Any, site: Site | None = None) -> SafeZone | None:
    """Return the active safe zone a place lies in (its coordinates, or else its site's)."""
    if latitude is None or longitude is None:
        if site is None or site.latitude is None or site.longitude is None:
            return None
        latitude, longitude = float(site.latitude), float(site.longitude)
    lat, lon = float(latitude), float(longitude)
    candidates = SafeZone.objects.filter(
        active=True,
        min_latitude__lte=lat,
        max_latitude__gte=lat,
        min_longitude__lte=lon,
        max_longitude__gte=lon,
    ).order_by("id")
    for zone in candidates:
        if geometry.contains(zone.boundary, latitude=lat, longitude=lon):
            return zone
    return None
