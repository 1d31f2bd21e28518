"""A safe zone and a corridor at a site, made through their services, for the tests."""

from typing import Any

from incidents.models import Corridor, SafeZone
from incidents.zones.services import CorridorData, corridor_create, safe_zone_create
from tests import factories

# A square around the factories' site (latitude 9.5333, longitude 31.65), longitude first.
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[31.64, 9.52], [31.66, 9.52], [31.66, 9.54], [31.64, 9.54], [31.64, 9.52]],
    ],
}
ROUTE = {"type": "LineString", "coordinates": [[31.65, 9.5333], [31.70, 9.60], [31.75, 9.62]]}


def supervisor_of(agency: Any) -> Any:
    return factories.UserFactory.create(agency=agency, role="supervisor")


def make_zone(site: Any, actor: Any = None, **overrides: Any) -> SafeZone:
    actor = actor or supervisor_of(site.managing_agency)
    values: dict[str, Any] = {"name": "Hospital compound", "boundary": SQUARE, **overrides}
    return safe_zone_create(actor=actor, site=site, **values)


def make_corridor(site: Any, actor: Any = None, **overrides: Any) -> Corridor:
    actor = actor or supervisor_of(site.managing_agency)
    values: dict[str, Any] = {
        "name": "Road to the river port",
        "site": site,
        "route": ROUTE,
        "destination_name": "River port",
        **overrides,
    }
    return corridor_create(
        actor=actor, data=CorridorData(**values), reason="Agreed by the parties."
    )
