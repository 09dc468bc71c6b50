"""`/zoning/plans/{id}/app.gml` and `drawing.png`: valid APP GML 2.0 referencing the drawing, a georeferenced PNG,
cached (ETag, 304), linked from each plan item and from the plan's catalogue record; unknown plans are 404."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from lxml import etree

from pipelines.zoning.app_schema import validate_app_gml

pytestmark = pytest.mark.db
APP = "{https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0}"


def _path(href: str) -> str:
    return urlsplit(href).path


def _plan_items(client) -> list[dict]:
    resp = client.get("/collections/zoning_plans/items", query_string={"f": "json"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    features = resp.get_json()["features"]
    assert features, "the API test database holds the sample world's plan"
    return features


def _link(links: list[dict], rel: str, media: str) -> str:
    return next(link["href"] for link in links if link["rel"] == rel and link["type"] == media)


def test_each_plan_item_links_its_app_dataset_and_drawing(client):
    for feature in _plan_items(client):
        gml = _link(feature["links"], "alternate", "application/gml+xml")
        assert _path(gml) == f"/zoning/plans/{feature['id']}/app.gml"
        assert _path(_link(feature["links"], "preview", "image/png")).endswith("/drawing.png")
    one = client.get(f"/collections/zoning_plans/items/{feature['id']}", query_string={"f": "json"}).get_json()
    assert _path(_link(one["links"], "alternate", "application/gml+xml")) == f"/zoning/plans/{feature['id']}/app.gml"


def test_app_dataset_is_valid_and_references_the_drawing(client, tmp_path):
    feature = _plan_items(client)[0]
    resp = client.get(_path(_link(feature["links"], "alternate", "application/gml+xml")))
    assert resp.status_code == 200
    assert resp.mimetype == "application/gml+xml"
    out = tmp_path / "plan.gml"
    out.write_bytes(resp.get_data())
    checked = validate_app_gml(out)
    assert checked.ok, checked.summary()
    root = etree.fromstring(resp.get_data())
    act = next(root.iter(f"{APP}AktPlanowaniaPrzestrzennego"))
    assert act.findtext(f"{APP}tytul") == feature["properties"]["title"]
    assert len(list(root.iter(f"{APP}StrefaPlanistyczna"))) >= 5
    (drawing,) = root.iter(f"{APP}RysunekAktuPlanowaniaPrzestrzennego")
    assert _path(drawing.findtext(f"{APP}lacze")) == f"/zoning/plans/{feature['id']}/drawing.png"
    # cached by the data version: the same bytes, and a conditional request is answered 304
    again = client.get(_path(_link(feature["links"], "alternate", "application/gml+xml")),
                       headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304


def test_drawing_is_a_georeferenced_png_over_the_plan(client):
    from pyproj import Transformer

    feature = _plan_items(client)[0]
    png = client.get(f"/zoning/plans/{feature['id']}/drawing.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    world = [float(v) for v in client.get(f"/zoning/plans/{feature['id']}/drawing.pgw").get_data(as_text=True).split()]
    assert len(world) == 6 and world[0] > 0 and world[3] == -world[0] and world[1] == world[2] == 0
    # the image's top-left corner lies north-west of the plan (the sample plan is in EPSG:2178, Kielce)
    bbox = feature.get("bbox") or _bbox(feature["geometry"])
    east, north = Transformer.from_crs(4326, 2178, always_xy=True).transform(bbox[0], bbox[3])
    assert world[4] < east and world[5] > north
    assert 7_300_000 < world[4] < 7_500_000 and 5_600_000 < world[5] < 5_700_000


def _bbox(geometry: dict) -> list[float]:
    def walk(c):
        return [c] if isinstance(c[0], (int, float)) else [p for sub in c for p in walk(sub)]

    pts = walk(geometry["coordinates"])
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs), min(ys), max(xs), max(ys)]


def test_catalogue_record_of_a_plan_encloses_its_app_dataset(client):
    records = client.get("/collections/catalogue/items", query_string={"limit": 1000}).get_json()["features"]
    plans = [r for r in records if r["properties"]["dataset_kind"] == "zoning-plan"]
    assert plans
    ids = {f["id"] for f in _plan_items(client)}
    for rec in plans:
        href = _link(rec["links"], "enclosure", "application/gml+xml")
        plan_id = _path(href).split("/")[3]
        assert int(plan_id) in ids or plan_id in ids
        assert client.get(_path(href)).status_code == 200


@pytest.mark.parametrize("path", ["/zoning/plans/999999/app.gml", "/zoning/plans/abc/app.gml",
                                  "/zoning/plans/1/plan.shp"])
def test_unknown_plan_or_file_is_404_with_a_hint(client, path):
    resp = client.get(path)
    assert resp.status_code == 404
    assert "/collections/zoning_plans/items" in resp.get_json()["description"]
