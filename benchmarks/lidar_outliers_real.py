"""Benchmark: what the LiDAR outlier filter removes from real files (share and height bands).

Each real file of ../shared/data/lidar with vegetation (and the sparse and odd ones) is relocated
into Kielce by the tests' helper (tests/support/relocate_las.py: translated, units to metres,
EPSG:2180; warsaw_small.las is Polish and loads as delivered with --crs 2180) and loaded by
`load_lidar` into a fresh database (msip_bench_outliers on the local cluster, dropped at the
end). The derived run's note "statistical outliers: N of M points … by height above the DTM"
is the measurement: M = points the filter judged (noise classes 7/18, withheld and overlap
points are left out before it), tile cores only.

    .venv/bin/python benchmarks/lidar_outliers_real.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "msip_bench_outliers"
#: (file, limit %): the issue's acceptance is ≤ 0.5 % on the vegetation files.
FILES = (
    ("MixedConifer.laz", 0.5),
    ("Topography.laz", 0.5),
    ("las_with_several_extra_byte_bloc.laz", 0.5),
    ("file_with_both_wkt_and_geotiff_vlrs.las", 0.5),
    ("warsaw_small.las", 0.5),
    ("autzen_trim.laz", None),
    ("sample_c_thin.las", None),
    ("1.2-with-color.copc.laz", None),
    ("las14_pdrf6.laz", None),
)


def database() -> str:
    from msip.core import cluster
    from msip.core.migrate import migrate
    from msip.core.settings import Settings

    settings = Settings.from_env()
    cluster.start(settings)
    url = cluster.bootstrap(settings, DB, fresh=True)
    migrate(url)
    return url


def drop_database() -> None:
    import psycopg
    from psycopg import sql

    from msip.core import cluster
    from msip.core.settings import Settings

    with psycopg.connect(cluster.superuser_url(Settings.from_env()), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DB)))


def measure(data: Path, url: str, work: Path) -> list[tuple[str, int, int, str, float | None]]:
    """(file, outliers, points judged, bands, limit %) per file."""
    from pipelines.lidar import LidarParams, load_lidar
    from pipelines.readers.validate import EXTENTS
    from tests.support.relocate.las import relocate_las

    out = []
    for i, (name, limit) in enumerate(FILES):
        src = data / "lidar" / name
        opts: dict = {}
        if name == "warsaw_small.las":
            path, opts = src, {"crs": 2180, "extent": EXTENTS["poland"]}
        else:
            stem = Path(name).stem.removesuffix(".copc")
            path = relocate_las(src, work / (stem + (".las" if name.endswith(".las") else ".laz"))).path
            if name == "sample_c_thin.las":
                opts = {"extent": None}
        if name == "1.2-with-color.copc.laz":  # 1.4 km² at 5 m spacing: 2 m cells suffice
            opts["params"] = LidarParams(resolution_m=2.0)
        result = load_lidar([path], epoch=date(2024, 1, 1) + timedelta(days=i), url=url, **opts)
        assert result.derived is not None, result.summary()
        [note] = [n for n in result.derived.notes if n.startswith("statistical outliers: ")]
        m = re.match(r"statistical outliers: (\d+) of (\d+) points \([^)]*\)(?:; by height above "
                     r"the DTM: (.*))?", note)  # fmt: skip
        assert m, note
        out.append((name, int(m.group(1)), int(m.group(2)), m.group(3) or "—", limit))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    import os

    os.environ.setdefault("MSIP_PROGRESS", "0")
    url = database()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = measure(args.data, url, Path(tmp))
    finally:
        drop_database()
    print("| file | points judged | removed | share | limit | removed by height above the DTM |")
    print("|---|---:|---:|---:|---:|---|")
    ok = True
    for name, removed, judged, bands, limit in rows:
        share = 100.0 * removed / judged if judged else 0.0
        ok &= limit is None or share <= limit
        lim = f"≤ {limit} %" if limit is not None else "—"
        print(f"| {name} | {judged} | {removed} | {share:.3f} % | {lim} | {bands} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
