"""Regenerate the tiny LiDAR fixtures here: python tests/data/lidar/make_fixtures.py"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for tests.support

from tests.support.lidar_scene import make_scene, write_las  # noqa: E402 (after the sys.path line)

ORIGIN = (614100.0, 334700.0)  # inside the sample district, Kielce (EPSG:2180)


def main() -> None:
    import laspy
    from pyproj import Transformer

    scene = make_scene(size_m=30.0, density=3.0, seed=5, origin=ORIGIN, noise=2)
    write_las(HERE / "tiny_2180.laz", scene)
    first = {k: (v[:800] if isinstance(v, np.ndarray) else v) for k, v in scene.__dict__.items()}
    write_las(HERE / "no_crs.las", type(scene)(**first), epsg=None, version="1.2", point_format=3)
    # The same place in PL-2000 zone 7 (EPSG:2178), easting first as LAS stores it.
    x, y = Transformer.from_crs(2180, 2178, always_xy=True).transform(scene.x, scene.y)
    moved = type(scene)(**{**scene.__dict__, "x": x, "y": y})
    write_las(HERE / "tiny_2178.laz", moved, epsg=2178)
    absurd = {int(i): 9999.0 for i in range(0, 70, 10)} | {71: -9999.0, 81: -9999.0}
    write_las(HERE / "absurd_z.laz", scene, z_override=absurd)
    header = laspy.LasHeader(point_format=6, version="1.4")
    from pyproj import CRS

    header.add_crs(CRS.from_epsg(2180))
    laspy.LasData(header).write(HERE / "zero_points.las")
    data = (HERE / "tiny_2180.laz").read_bytes()
    (HERE / "truncated.laz").write_bytes(data[: int(len(data) * 0.6)])
    (HERE / "empty.laz").write_bytes(b"")
    for f in sorted(HERE.glob("*.la[sz]")):
        print(f"{f.name}: {f.stat().st_size} bytes")
    print(
        "points per file:", len(scene.x), "absurd Z indices:", sorted(absurd), np.unique(scene.cls)
    )


if __name__ == "__main__":
    main()
