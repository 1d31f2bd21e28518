"""The demo's safe zone and corridors: the PoC site's protected area, and two routes out of it.

Made through incidents.zones.services by the mission's supervisor, before the incidents are
reported, so that the incidents at the PoC site are flagged as inside its safe zone. One
corridor is open; the other was closed after fighting on the road, and the UN agency, which
subscribed to it, was told.
"""

from incidents.models import Corridor, CorridorStatus, SafeZone
from incidents.zones.services import (
    CorridorData,
    corridor_create,
    corridor_status_change,
    corridor_subscribe,
    safe_zone_create,
)
from protection.accounts.models import Role
from protection.demo.work.mission import Mission

POC, CMP = "DEMO-POC1", "DEMO-CMP1"
ZONE_NAME = "Lerok PoC protected area"


def _square(latitude: float, longitude: float, half: float) -> dict[str, object]:
    south, north, west, east = latitude - half, latitude + half, longitude - half, longitude + half
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def zones_seed(mission: Mission) -> tuple[int, int]:
    """Draw the safe zone and trace the corridors, unless they exist; return how many were made."""
    site = mission.sites[POC]
    if SafeZone.objects.filter(site=site).exists() or Corridor.objects.filter(site=site).exists():
        return 0, 0
    supervisor = mission.user("mission", Role.SUPERVISOR)
    latitude, longitude = float(site.latitude or 0), float(site.longitude or 0)
    safe_zone_create(
        actor=supervisor,
        site=site,
        name=ZONE_NAME,
        boundary=_square(latitude, longitude, 0.02),
    )
    camp = mission.sites[CMP]
    road = corridor_create(
        actor=supervisor,
        data=CorridorData(
            name="Lerok to Amolo Hills road",
            site=site,
            destination_site=camp,
            route={
                "type": "LineString",
                "coordinates": [
                    [longitude, latitude],
                    [31.80, 9.60],
                    [float(camp.longitude or 0), float(camp.latitude or 0)],
                ],
            },
        ),
        reason="Agreed with both parties for convoys of returnees.",
    )
    river = corridor_create(
        actor=supervisor,
        data=CorridorData(
            name="Lerok to the river port",
            site=site,
            destination_name="Malakal river port",
            route={
                "type": "LineString",
                "coordinates": [[longitude, latitude], [31.62, 9.47], [31.66, 9.53]],
            },
        ),
        reason="Opened for the medical evacuations by boat.",
    )
    corridor_subscribe(
        actor=mission.user("un", Role.PROTECTION_OFFICER), corridor=river, email=False
    )
    corridor_status_change(
        actor=supervisor,
        corridor=river,
        status=CorridorStatus.CLOSED,
        reason="Fighting reported on the road near the port; convoys suspended.",
    )
    return 1, len([road, river])
