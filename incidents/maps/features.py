"""The features the incident map draws: incidents where the policy lets them be placed, and sites.

An anonymised incident is placed at its site, never at its own coordinates; only a user who may
see the full record sees an incident at its exact place. Sites are those of the user's scope
(access.sites_for, through camps.selectors.site_list) with their active population: a figure,
not a record, that every agency working in a site may see.
"""

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext as _

from camps.selectors import site_list
from incidents.models import Incident, Severity
from incidents.reporting import selectors as incident_selectors
from incidents.zones import selectors as zone_selectors
from protection import access

if TYPE_CHECKING:
    from protection.accounts.models import User

MAP_LIMIT = 2000


def _point(longitude: Any, latitude: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [float(longitude), float(latitude)]}


def _incident_feature(user: "User", incident: Incident) -> dict[str, Any] | None:
    if access.incident_detail_allowed(user, incident) and incident.latitude is not None:
        point, exact = _point(incident.longitude or 0, incident.latitude), True
    elif incident.site is not None and incident.site.latitude is not None:
        point, exact = _point(incident.site.longitude or 0, incident.site.latitude), False
    else:
        return None
    return {
        "type": "Feature",
        "geometry": point,
        "properties": {
            "kind": "incident",
            "reference": incident.reference,
            "type": str(incident.incident_type.label),
            "severity": incident.severity,
            "severity_label": str(Severity(incident.severity).label),
            "occurred_on": incident.occurred_at.date().isoformat(),
            "site": incident.site.name if incident.site else "",
            "exact": exact,
            "url": reverse("incidents:detail", args=[incident.pk]),
        },
    }


def map_features(*, user: "User", filters: dict[str, Any]) -> dict[str, Any]:
    """Return the GeoJSON FeatureCollection of the user's incidents (logged read) and sites."""
    incidents = incident_selectors.incident_page(
        user=user,
        incidents=incident_selectors.incident_list(user=user, filters=filters),
        paginate=lambda rows: list(rows[:MAP_LIMIT]),
    )
    features = [
        feature
        for feature in (_incident_feature(user, incident) for incident in incidents)
        if feature is not None
    ]
    for site in site_list(user=user).filter(latitude__isnull=False, longitude__isnull=False):
        features.append(
            {
                "type": "Feature",
                "geometry": _point(site.longitude, site.latitude),
                "properties": {
                    "kind": "site",
                    "name": str(site),
                    "admin1": site.admin1,
                    "population": int(getattr(site, "population", 0)),
                    "capacity": site.capacity,
                    "url": reverse("camps:detail", args=[site.pk]),
                },
            }
        )
    features.extend(_zones_and_corridors(user))
    return {"type": "FeatureCollection", "features": features}


def _zones_and_corridors(user: "User") -> list[dict[str, Any]]:
    """Return the active safe zones and the corridors of the user's sites as features."""
    features: list[dict[str, Any]] = []
    for zone in zone_selectors.safe_zone_list(user=user).filter(active=True):
        features.append(
            {
                "type": "Feature",
                "geometry": zone.boundary,
                "properties": {
                    "kind": "safe_zone",
                    "label": _("Safe zone: %(name)s") % {"name": zone.name},
                    "url": zone.get_absolute_url(),
                },
            }
        )
    for corridor in zone_selectors.corridor_list(user=user):
        values = {"code": corridor.code, "status": corridor.get_status_display()}
        features.append(
            {
                "type": "Feature",
                "geometry": corridor.route,
                "properties": {
                    "kind": "corridor",
                    "code": corridor.code,
                    "status": corridor.status,
                    "label": _("Corridor %(code)s: %(status)s") % values,
                    "url": corridor.get_absolute_url(),
                },
            }
        )
    return features
