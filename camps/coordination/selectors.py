"""Who does what where, read from the referral directory: agencies' services by site and sector.

The 3W is not kept anywhere: it is the services every agency lists (partners.Service, with the
sites each serves; a service that lists no site serves every site) crossed with the sites the
user's agency works in (`access.sites_for`) and the active sectors. A site and sector with no
active service is a gap, which is what a coordination meeting looks for. Nothing personal is
read; the sites start from the access policy, so another agency's site is not found.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import Http404

from camps.models import Site
from partners.models import Sector
from protection import access

if TYPE_CHECKING:
    from protection.accounts.models import User


@dataclass(frozen=True)
class Presence:
    """One agency's service in one sector at one site."""

    service_id: int
    service: str
    agency: str
    agency_name: str
    accepting_referrals: bool
    everywhere: bool  # the service lists no site: it serves every site


@dataclass
class Cell:
    """A site and a sector, with the services there; a gap when there are none."""

    site: Site
    sector: Sector
    presences: list[Presence] = field(default_factory=list)

    @property
    def gap(self) -> bool:
        return not self.presences

    @property
    def agencies(self) -> list[str]:
        return sorted({presence.agency for presence in self.presences})


@dataclass(frozen=True)
class WhoWhatWhere:
    """The 3W of the sites and sectors asked for, site by site, sectors in their order."""

    cells: list[Cell]

    @property
    def gaps(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.gap]

    @property
    def sites(self) -> int:
        return len({cell.site.pk for cell in self.cells})


def sectors() -> list[Sector]:
    return list(Sector.objects.filter(active=True).order_by("sort_order", "code"))


def who_what_where(
    *,
    user: "User",
    site_id: int | None = None,
    sector_code: str = "",
    gaps_only: bool = False,
) -> WhoWhatWhere:
    """Return the 3W of the user's sites (one, if asked: 404 outside them), in four queries."""
    access.require(user, access.Action.VIEW_SITES)
    sites = access.sites_for(user).order_by("name", "pk")
    if site_id is not None:
        sites = sites.filter(pk=site_id)
    site_list = list(sites)
    if site_id is not None and not site_list:
        raise Http404
    wanted = [sector for sector in sectors() if not sector_code or sector.code == sector_code]
    services = (
        access.services_for(user)
        .filter(active=True, agency__active=True, sector__in=wanted)
        .select_related("agency")
        .prefetch_related("sites")
        .order_by("agency__acronym", "name", "pk")
    )
    site_ids = {site.pk for site in site_list}
    found: dict[tuple[int, int], list[Presence]] = defaultdict(list)
    for service in services:
        served = [site.pk for site in service.sites.all()]
        presence = Presence(
            service_id=service.pk,
            service=service.name,
            agency=service.agency.acronym,
            agency_name=service.agency.name,
            accepting_referrals=service.accepting_referrals,
            everywhere=not served,
        )
        for site_pk in served or site_ids:
            if site_pk in site_ids:
                found[(site_pk, service.sector_id)].append(presence)
    cells = [
        Cell(site=site, sector=sector, presences=found.get((site.pk, sector.pk), []))
        for site in site_list
        for sector in wanted
    ]
    if gaps_only:
        cells = [cell for cell in cells if cell.gap]
    return WhoWhatWhere(cells=cells)
