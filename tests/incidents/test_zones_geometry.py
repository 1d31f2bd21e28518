"""GeoJSON checks and point-in-polygon for safe zones and corridors."""

import json

import pytest
from django.core.exceptions import ValidationError

from incidents.zones import geometry
from tests.incidents.zone_world import ROUTE, SQUARE

HOLED = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}


def test_a_feature_collection_of_one_polygon_is_stored_as_the_bare_polygon() -> None:
    text = json.dumps(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": SQUARE}]}
    )
    assert geometry.clean_boundary(text) == SQUARE


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "not valid GeoJSON"),
        (ROUTE, "Polygon or a MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "closed ring"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "outside"),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["a", 0], [1, 1], [0, 0]]]}, "pair"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0], [0, 0]]]}, "enclose"),
    ],
)
def test_a_bad_boundary_is_refused_with_the_reason(value, message) -> None:
    with pytest.raises(ValidationError) as raised:
        geometry.clean_boundary(value)
    assert message in " ".join(raised.value.messages)


def test_a_boundary_with_too_many_points_is_refused() -> None:
    ring = [[i * 1e-4, 0.0] for i in range(geometry.MAX_POINTS)] + [[0.0, 1.0], [0.0, 0.0]]
    with pytest.raises(ValidationError, match="Too many points"):
        geometry.clean_boundary({"type": "Polygon", "coordinates": [ring]})


def test_a_route_must_be_a_line_of_two_places() -> None:
    assert geometry.clean_route(ROUTE) == ROUTE
    with pytest.raises(ValidationError, match="LineString"):
        geometry.clean_route(SQUARE)
    with pytest.raises(ValidationError, match="two different points"):
        geometry.clean_route({"type": "LineString", "coordinates": [[1, 1], [1, 1]]})


def test_points_inside_outside_and_in_a_hole() -> None:
    assert geometry.contains(HOLED, latitude=2, longitude=2)
    assert not geometry.contains(HOLED, latitude=5, longitude=5)
    assert not geometry.contains(HOLED, latitude=11, longitude=2)
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"], HOLED["coordinates"]]}
    assert geometry.contains(multi, latitude=9.53, longitude=31.65)
    assert geometry.contains(multi, latitude=1, longitude=1)
