"""GeoJSON for safe zones and corridors, without a spatial database.

Boundaries and routes arrive drawn, pasted or uploaded: as a bare geometry, a Feature, or a
FeatureCollection holding one feature. They are checked here (type, coordinates in range,
closed rings, a bounded size) and stored as the bare geometry. Whether a point lies in a zone
is answered by ray casting, which is exact enough at the scale of a camp.
"""

import itertools
import json
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# A boundary traced around a camp has tens or hundreds of points; a survey's file, thousands.
MAX_POINTS = 5000
MAX_TEXT = 500_000

Position = tuple[float, float]


@dataclass(frozen=True)
class Box:
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float


def parse(value: Any) -> Any:
    """Return the JSON value of a text (a form field, a file) or the value itself."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValidationError(_("The file is too large for a boundary or a route."))
        try:
            return json.loads(value)
        except ValueError:
            raise ValidationError(_("This is not valid GeoJSON.")) from None
    return value


def _geometry_of(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(_("This is not valid GeoJSON."))
    if value.get("type") == "FeatureCollection":
        features = value.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ValidationError(_("Give one feature, not a collection of several."))
        value = features[0]
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise ValidationError(_("This is not valid GeoJSON."))
    return value


def _position(value: Any) -> Position:
    if (
        not isinstance(value, list)
        or len(value) not in (2, 3)
        or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in value)
        or not all(math.isfinite(n) for n in value)
    ):
        raise ValidationError(_("Each point must be a pair of numbers: longitude, latitude."))
    longitude, latitude = float(value[0]), float(value[1])
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise ValidationError(
            _("A point lies outside the globe: longitude -180 to 180, latitude -90 to 90.")
        )
    return (round(longitude, 7), round(latitude, 7))


def _line(value: Any, *, minimum: int) -> list[Position]:
    if not isinstance(value, list) or len(value) < minimum:
        raise ValidationError(_("A line needs at least %(count)d points.") % {"count": minimum})
    return [_position(point) for point in value]


def _ring(value: Any) -> list[Position]:
    ring = _line(value, minimum=4)
    if ring[0] != ring[-1]:
        raise ValidationError(_("A boundary must end where it starts (a closed ring)."))
    if len(set(ring)) < 3:
        raise ValidationError(_("A boundary must enclose an area."))
    return ring


def _polygon(value: Any) -> list[list[Position]]:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("A polygon needs at least one ring."))
    return [_ring(ring) for ring in value]


def _count(rings: list[list[Position]]) -> int:
    return sum(len(ring) for ring in rings)


def _checked_size(points: int) -> None:
    if points > MAX_POINTS:
        raise ValidationError(
            _("Too many points (%(count)d); simplify it to %(limit)d or fewer.")
            % {"count": points, "limit": MAX_POINTS}
        )


def clean_boundary(value: Any) -> dict[str, Any]:
    """Return a zone's boundary as a bare Polygon or MultiPolygon; raise ValidationError."""
    geometry = _geometry_of(parse(value))
    kind = geometry["type"]
    if kind == "Polygon":
        rings = _polygon(geometry.get("coordinates"))
        _checked_size(_count(rings))
        return {"type": "Polygon", "coordinates": [[list(p) for p in r] for r in rings]}
    if kind == "MultiPolygon":
        parts = geometry.get("coordinates")
        if not isinstance(parts, list) or not parts:
            raise ValidationError(_("A multipolygon needs at least one polygon."))
        polygons = [_polygon(part) for part in parts]
        _checked_size(sum(_count(p) for p in polygons))
        return {
            "type": "MultiPolygon",
            "coordinates": [[[list(p) for p in r] for r in poly] for poly in polygons],
        }
    raise ValidationError(_("A safe zone's boundary must be a Polygon or a MultiPolygon."))


def clean_route(value: Any) -> dict[str, Any]:
    """Return a corridor's route as a bare LineString; raise ValidationError."""
    geometry = _geometry_of(parse(value))
    if geometry["type"] != "LineString":
        raise ValidationError(_("A corridor's route must be a LineString."))
    line = _line(geometry.get("coordinates"), minimum=2)
    _checked_size(len(line))
    if len(set(line)) < 2:
        raise ValidationError(_("A route must go somewhere: give two different points."))
    return {"type": "LineString", "coordinates": [list(p) for p in line]}


def _positions(geometry: dict[str, Any]) -> list[list[float]]:
    coordinates = geometry["coordinates"]
    if geometry["type"] == "LineString":
        return list(coordinates)
    if geometry["type"] == "Polygon":
        return [p for ring in coordinates for p in ring]
    return [p for poly in coordinates for ring in poly for p in ring]


def box_of(geometry: dict[str, Any]) -> Box:
    """Return the bounding box of a cleaned geometry."""
    points = _positions(geometry)
    longitudes = [p[0] for p in points]
    latitudes = [p[1] for p in points]
    return Box(min(latitudes), max(latitudes), min(longitudes), max(longitudes))


def _in_ring(longitude: float, latitude: float, ring: list[list[float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > latitude) != (y2 > latitude):
            crossing = x1 + (latitude - y1) * (x2 - x1) / (y2 - y1)
            if longitude < crossing:
                inside = not inside
    return inside


def contains(boundary: dict[str, Any], *, latitude: float, longitude: float) -> bool:
    """Return whether the point lies inside the boundary (holes excluded)."""
    polygons = (
        [boundary["coordinates"]] if boundary["type"] == "Polygon" else boundary["coordinates"]
    )
    for rings in polygons:
        outer, holes = [[float(n) for n in p[:2]] for p in rings[0]], rings[1:]
        if _in_ring(longitude, latitude, outer) and not any(
            _in_ring(longitude, latitude, [[float(n) for n in p[:2]] for p in hole])
            for hole in holes
        ):
            return True
    return False
