"""PRG address points for the small sample world, which has none of its own (only the district
world generates them): one point per non-industrial building of the latest epoch, numbered along
its nearest named street (odd on one side, even on the other), written as a PRG 2012-model GML
with the district generator's own writer and loaded through `msip load addresses`' loader.
"""

from __future__ import annotations

from pathlib import Path

from msip.sample_world.files.district_files import write_prg_gml
from msip.sample_world.world.district.extras import AddressPoint

GML_NAME = "punkty_adresowe_small.gml"


def small_world_addresses(sample_dir: Path) -> list[AddressPoint]:
    """The address points of the small world's latest buildings (deterministic)."""
    import geopandas as gpd
    from shapely import STRtree

    buildings = gpd.read_file(sample_dir / "base" / "buildings_2025-06-15.gpkg").sort_values("building_id")
    streets = gpd.read_file(sample_dir / "base" / "streets.gpkg")
    streets = streets[streets["road_class"] != "footway"].reset_index(drop=True)
    index = STRtree(list(streets.geometry))
    counters: dict[tuple[str, int], int] = {}
    out: list[AddressPoint] = []
    for b in buildings.itertuples():
        if b.kind == "industrial":
            continue
        c = b.geometry.representative_point()
        seg = streets.iloc[int(index.nearest(c))]
        (x0, y0), (x1, y1) = seg.geometry.coords[0], seg.geometry.coords[-1]
        side = 1 if (x1 - x0) * (c.y - y0) - (y1 - y0) * (c.x - x0) > 0 else 0
        street = seg["name"].removeprefix("ulica ").removeprefix("aleja ")
        counters[(street, side)] = counters.get((street, side), 0) + 1
        number = 2 * counters[(street, side)] - (1 if side else 0)
        out.append(AddressPoint(f"S{len(out) + 1:05d}", b.building_id, street, str(number), "25-001", "2661011",
                                round(c.x, 2), round(c.y, 2)))
    return out


def load_small_world_addresses(sample_dir: Path, url: str, folder: Path) -> list[AddressPoint]:
    """Write the small world's PRG GML into `folder` and load it into the database at `url`."""
    from pipelines.addresses.load import load_addresses

    points = small_world_addresses(sample_dir)
    path = folder / GML_NAME
    write_prg_gml(points, path)
    load_addresses(path, url=url)
    return points
