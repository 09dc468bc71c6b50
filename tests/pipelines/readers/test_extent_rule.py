"""The one extent rule (msip.core.extents) as the readers apply it: always inside Poland, where EPSG:2180
is valid; `--extent none` lifts only the city limit; refusals say where the data are and the fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from msip.core.errors import ValidationError
from pipelines.readers.columns import Rejects
from pipelines.readers.points import locate_points
from pipelines.readers.tabular import Table
from pipelines.readers.validate import get_extent
from pipelines.readers.vector_io import area_to_storage, line_to_storage

TO_2180 = Transformer.from_crs(4326, 2180, always_xy=True)
MONACO, WARSAW, KIELCE, COLUMBIA_SC = (7.4246, 43.7384), (21.0, 52.2), (20.63, 50.87), (-81.08, 33.99)
EAST_OF_POLAND = (24.3, 52.0)  # inside EPSG:2180's projected box, outside its area of use (lon ≤ 24.15)


def _lonlat_table(points, *, crs_fixed=False) -> Table:
    frame = pd.DataFrame({"lon": [str(p[0]) for p in points], "lat": [str(p[1]) for p in points]}, dtype="str")
    return Table("p.csv", frame, crs_fixed=crs_fixed)


def _locate(points, extent, **kw):
    table = _lonlat_table(points, **kw)
    rejects = Rejects("p.csv", len(table))
    found = locate_points(table, {"lon": "lon", "lat": "lat"}, rejects, crs=None, extent=get_extent(extent), what="ad")
    return found, rejects


@pytest.mark.parametrize("extent", ["none", "poland"])
@pytest.mark.parametrize("place, inside", [(KIELCE, True), (WARSAW, True), (MONACO, False), (COLUMBIA_SC, False),
                                           (EAST_OF_POLAND, False)])
def test_none_and_poland_mean_all_of_poland_never_anywhere(extent, place, inside):
    x, y = TO_2180.transform(*place)
    assert get_extent(extent).contains(x, y) is inside
    assert get_extent(extent).inside(np.array([x]), np.array([y])).tolist() == [inside]


def test_city_extent_is_the_city():
    assert get_extent("kielce").contains(*TO_2180.transform(*KIELCE))
    assert not get_extent("kielce").contains(*TO_2180.transform(*WARSAW))


@pytest.mark.parametrize("extent", ["none", "poland", "kielce"])
def test_monaco_refused_naming_the_distortion(extent):
    with pytest.raises(ValidationError, match=r"p.csv: 2 of 2 points fall outside .*they lie at 7\.42\d°E 43\.73\d°N"
                                              r".*distorts lengths by \+1 % and areas by \+2 %: MSIP loads data of "
                                              r"Poland only; if they are not really there, check the CRS"):
        _locate([MONACO, (MONACO[0] + 0.001, MONACO[1])], extent)


def test_data_elsewhere_in_poland_suggest_extent_poland():
    with pytest.raises(ValidationError, match=r"fall outside Kielce .*; to load data from elsewhere in Poland pass "
                                              r"--extent poland \(or a box"):
        _locate([WARSAW, (21.01, 52.21)], "kielce")
    found, rejects = _locate([WARSAW, (21.01, 52.21)], "none")
    assert rejects.ok.all() and np.isfinite(found.x).all()


def test_swapped_axes_suggested_when_the_swap_lands_inside():
    with pytest.raises(ValidationError, match=r"with the two coordinates swapped they would fit"):
        _locate([(WARSAW[1], WARSAW[0]), (52.21, 21.01)], "none")


def test_openstreetmap_never_gets_a_crs_or_swap_hint():
    with pytest.raises(ValidationError) as refused:
        _locate([(WARSAW[1], WARSAW[0]), (52.21, 21.01)], "none", crs_fixed=True)
    message = str(refused.value)
    assert "swapped" not in message and "--crs" not in message
    assert "MSIP loads data of Poland only — use an extract of the city" in message


def test_one_row_outside_poland_is_quarantined_with_the_reason():
    found, rejects = _locate([KIELCE, WARSAW, (20.64, 50.88), MONACO], "none")
    assert rejects.ok.tolist() == [True, True, True, False]
    assert rejects.reason[3].startswith("p.csv row 4: lon,lat=7.4246,43.7384: point (E -432087.8, N -393081.4) is "
                                        "outside Poland (EPSG:2180's area of use, 14.14–24.15°E, 49.00–55.93°N): "
                                        "it lies at 7.425°E 43.738°N")
    assert np.isnan(found.x[3])


def test_polygons_and_lines_outside_poland_are_refused_with_extent_none():
    monaco = shapely.box(MONACO[0], MONACO[1], MONACO[0] + 0.001, MONACO[1] + 0.001)
    with pytest.raises(ValueError, match=r"is outside Poland .*: it lies at 7\.42\d°E 43\.73\d°N, .*areas by \+2 %"):
        area_to_storage(monaco, 4326, extent=get_extent("none"))
    with pytest.raises(ValueError, match=r"outside Poland"):
        line_to_storage(shapely.LineString([MONACO, (MONACO[0] + 0.001, MONACO[1])]), 4326, extent=get_extent("none"))
    warsaw = shapely.box(WARSAW[0], WARSAW[1], WARSAW[0] + 0.001, WARSAW[1] + 0.001)
    geom, _ = area_to_storage(warsaw, 4326, extent=get_extent("none"))
    assert 636_000 < geom.centroid.x < 637_000


@pytest.mark.parametrize("extent", ["none", "poland"])
def test_lidar_file_in_epsg_2180_outside_poland_is_refused(tmp_path, extent):
    """The LiDAR loader applies the same rule (its CRS check caught foreign CRSs only)."""
    import laspy
    from pyproj import CRS

    from pipelines.lidar.engine import get_engine
    from pipelines.lidar.plan import plan_file

    header = laspy.LasHeader(point_format=3, version="1.2")
    header.scales, header.offsets = [0.01] * 3, [-432_000, -393_000, 0]
    header.add_crs(CRS.from_epsg(2180))
    las = laspy.LasData(header)
    las.x, las.y = -432_000 + np.arange(10.0), -393_000 + np.arange(10.0)
    las.z = np.full(10, 12.0)
    las.write(tmp_path / "monaco.las")
    plan = plan_file(tmp_path / "monaco.las", get_engine(), None, get_extent(extent))
    assert plan.refusal is not None and plan.refusal.startswith("monaco.las: its points (E -432000–-431991")
    assert "lie outside Poland (EPSG:2180's area of use" in plan.refusal
    assert "distorts lengths by +1 % and areas by +2 %: MSIP loads data of Poland only" in plan.refusal
    assert "--extent none" not in plan.refusal
