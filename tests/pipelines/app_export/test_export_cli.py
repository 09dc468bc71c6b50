"""`msip export app`: the file, the drawing beside it, --validate, and one-line refusals for an unknown plan."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lxml import etree

from msip.core.errors import MsipError
from pipelines.app_export.plan import PlanNotFoundError
from pipelines.zoning.load import load_zoning

pytestmark = pytest.mark.db
GML = "{http://www.opengis.net/gml/3.2}"
APP = "{https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0}"


@pytest.fixture
def kielce_zone_plan(empty_db, shared_data, monkeypatch):
    """The plugin's test plan in EPSG:2178 (Kielce's zone): act and 4 zones; the CLI reads this database."""
    folder = shared_data / "zoning" / "pog_test_121201"
    load_zoning(folder / "AktPlanowaniaPrzestrzennego.gml", url=empty_db)
    load_zoning(folder / "StrefaPlanistyczna_OK.gml", url=empty_db)
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    return empty_db


def test_export_writes_valid_app_with_drawing(kielce_zone_plan, tmp_path):
    from msip.cli import cli

    out = tmp_path / "plan.gml"
    result = CliRunner().invoke(cli, ["export", "app", "PL.ZIPPZP.1234/121201-POG/1POG", "-o", str(out), "--validate"])
    assert result.exit_code == 0, result.output
    assert (
        "4 zones and 0 documents" in result.output and "valid against planowaniePrzestrzenne_2_0.xsd" in result.output
    )
    root = etree.parse(str(out)).getroot()
    # gml:id on every feature and every geometry
    features = [m[0] for m in root]
    assert [etree.QName(f).localname for f in features].count("StrefaPlanistyczna") == 4
    for el in root.iter(f"{GML}MultiSurface", f"{GML}Polygon", f"{GML}Surface", *(f.tag for f in features)):
        assert el.get(f"{GML}id"), etree.QName(el).localname
    # EPSG:2178 northing first, as the source file: its first vertex, N 5573005.887, E 7377509.326
    pos = next(root.iter(f"{GML}posList")).text.split()
    assert abs(float(pos[0]) - 5573005.8866) < 0.001 and abs(float(pos[1]) - 7377509.3264) < 0.001
    assert next(root.iter(f"{GML}MultiSurface")).get("srsName") == "http://www.opengis.net/def/crs/EPSG/0/2178"
    (drawing,) = root.iter(f"{APP}RysunekAktuPlanowaniaPrzestrzennego")
    assert drawing.findtext(f"{APP}lacze") == "plan.png"
    assert out.with_suffix(".png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(out.with_suffix(".pgw").read_text().split()) == 6


def test_export_to_stdout_has_no_drawing(kielce_zone_plan):
    from msip.cli import cli

    result = CliRunner().invoke(cli, ["export", "app", "1POG"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("<?xml") and "RysunekAktuPlanowaniaPrzestrzennego" not in result.output


def test_unknown_plan_is_one_line_naming_the_loaded_ones(kielce_zone_plan):
    from msip.cli import main

    with pytest.raises(
        PlanNotFoundError, match=r"plan 'nope' matches no loaded plan.*PL\.ZIPPZP\.1234/121201-POG/1POG"
    ):
        from msip.core.db import connect
        from pipelines.app_export.plan import find_plan

        with connect(kielce_zone_plan) as conn:
            find_plan(conn, "nope")
    with pytest.raises(SystemExit) as exc:
        main(["export", "app", "nope"])
    assert exc.value.code == 1
    assert issubclass(PlanNotFoundError, MsipError)
