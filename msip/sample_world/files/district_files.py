"""Files only the district world has: the plan ogólny and two local plans (APP GML), PRG address
points (model 2012 GML), the geosite (GeoJSON), the railway, and the zoning ground truth."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from msip.sample_world.constants import EPSG
from msip.sample_world.manifest import FileRecord
from msip.sample_world.world.district.extras import AddressPoint, Geosite
from msip.sample_world.world.district.zoning import LocalPlan
from msip.sample_world.world.model import PlanZone, World

from . import gml
from .vector_files import _write_gpkg

POG_META = gml.PlanMeta(
    local_id="1POG",
    title="Plan ogólny gminy Kielce (sample world)",
    plan_type="planOgolnyGminy",
    plan_type_title="plan ogólny gminy",
)
SEALED_LANDCOVER = (1, 5, 6)
"""Road, bare soil and footway surfaces: not biologically active (water and grass are)."""


def write_all(world: World, out: Path) -> list[FileRecord]:
    """Write every district-only file under ``out``; returns their manifest records."""
    records: list[FileRecord] = []
    (out / "zoning").mkdir(parents=True, exist_ok=True)
    gml.write_plan_gml(world, out / "zoning/plan_ogolny.gml", world.plan_zones, POG_META)
    records.append(FileRecord("zoning/plan_ogolny.gml", "zoning_plan_general"))
    plans: list[LocalPlan] = world.extras["local_plans"]  # type: ignore[assignment]
    for i, plan in enumerate(plans, start=1):
        rel = f"zoning/plan_miejscowy_{i}.gml"
        gml.write_plan_gml(world, out / rel, plan.zones, gml.PlanMeta(local_id=plan.local_id, title=plan.title))
        records.append(FileRecord(rel, "zoning_plan"))
    rel = "addresses/punkty_adresowe_prg.gml"
    write_prg_gml(world.extras["addresses"], out / rel)  # type: ignore[arg-type]
    records.append(FileRecord(rel, "addresses"))
    rel = "geosites/geostanowiska.geojson"
    write_geosites(world.extras["geosites"], out / rel)  # type: ignore[arg-type]
    records.append(FileRecord(rel, "geosites"))
    rail = gpd.GeoDataFrame({"name": ["Linia kolejowa nr 8 (sample)"], "kind": ["railway"]},
                            geometry=[world.extras["railway"]], crs=f"EPSG:{EPSG}")
    _write_gpkg(rail, out / "base/railway.gpkg", "railways")
    records.append(FileRecord("base/railway.gpkg", "railways"))
    write_zoning_truth(world, plans, out / "truth/zoning_indicators.csv")
    records.append(FileRecord("truth/zoning_indicators.csv", "truth_zoning"))
    return records


PRG_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<gml:FeatureCollection xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:gml="http://www.opengis.net/gml/3.2"
    xmlns:bt="urn:gugik:specyfikacje:gmlas:modelPodstawowy:1.0"
    xmlns:mua="urn:gugik:specyfikacje:gmlas:ewidencjaMiejscowosciUlicAdresow:1.0"
    xmlns:prg-ad="urn:gugik:specyfikacje:gmlas:panstwowyRejestrGranicAdresy:1.0" gml:id="prg-ad">
    <gml:featureMembers>
"""
UNITS = (("POLSKA", None, "1poziom"), ("świętokrzyskie", "26", "2poziom"), ("powiat Kielce", "2661", "3poziom"),
         ("Kielce", "2661011", "4poziom"))
"""Administrative units a Kielce address point refers to (name, TERYT, level)."""


def _point_xml(a: AddressPoint) -> str:
    uid = f"msip-sample-{a.address_id}"
    units = "".join(f"            <prg-ad:jednostkaAdmnistracyjna>{n}</prg-ad:jednostkaAdmnistracyjna>\n"
                    for n in ("Polska", "świętokrzyskie", "Kielce", "Kielce"))
    base = "http://geoportal.gov.pl/PZGIK/dane/PL.PZGIK.200"
    refs = "".join(f'            <prg-ad:komponent xlink:href="{base}_U{i}" />\n' for i in range(1, 5))
    return (
        f'        <prg-ad:PRG_PunktAdresowy gml:id="PL.ZIPIN.2661.EMUiA_{uid}">\n'
        '            <gml:identifier codeSpace="http://geoportal.gov.pl/">\n'
        f"                http://geoportal.gov.pl/PZGIK/dane/PL.ZIPIN.2661.EMUiA/{uid}</gml:identifier>\n"
        "            <prg-ad:idIIP>\n                <bt:BT_Identyfikator>\n"
        f"                    <bt:lokalnyId>{uid}</bt:lokalnyId>\n"
        "                    <bt:przestrzenNazw>PL.PZGIK.200</bt:przestrzenNazw>\n"
        "                    <bt:wersjaId>2025-01-15T10:00:00+01:00</bt:wersjaId>\n"
        "                </bt:BT_Identyfikator>\n            </prg-ad:idIIP>\n"
        "            <prg-ad:cyklZycia>\n                <bt:BT_CyklZyciaInfo>\n"
        "                    <bt:poczatekWersjiObiektu>2025-01-15T09:00:00Z</bt:poczatekWersjiObiektu>\n"
        "                </bt:BT_CyklZyciaInfo>\n            </prg-ad:cyklZycia>\n"
        "            <prg-ad:waznyOd>2025-01-15</prg-ad:waznyOd>\n"
        f"{units}"
        "            <prg-ad:miejscowosc>Kielce</prg-ad:miejscowosc>\n"
        '            <prg-ad:czescMiejscowosci nilReason="inapplicable" xsi:nil="true" />\n'
        f"            <prg-ad:ulica>{escape(a.street)}</prg-ad:ulica>\n"
        f"            <prg-ad:numerPorzadkowy>{a.number}</prg-ad:numerPorzadkowy>\n"
        f"            <prg-ad:kodPocztowy>{a.postcode}</prg-ad:kodPocztowy>\n"
        "            <prg-ad:status>istniejacy</prg-ad:status>\n"
        "            <prg-ad:pozycja>\n"
        f'                <gml:Point srsName="urn:ogc:def:crs:EPSG::2180" srsDimension="2" gml:id="{uid}_GEO">\n'
        f"                    <gml:pos>{a.y:.2f} {a.x:.2f}</gml:pos>\n"
        "                </gml:Point>\n            </prg-ad:pozycja>\n"
        f"{refs}"
        "        </prg-ad:PRG_PunktAdresowy>\n"
    )


def _unit_xml(i: int, name: str, teryt: str | None, level: str) -> str:
    code = (f"            <prg-ad:idTERYT>{teryt}</prg-ad:idTERYT>\n" if teryt
            else '            <prg-ad:idTERYT nilReason="inapplicable" xsi:nil="true" />\n')
    return (
        f'        <prg-ad:PRG_JednostkaAdministracyjnaNazwa gml:id="PL.PZGIK.200_U{i}">\n'
        f"            <prg-ad:nazwa>{name}</prg-ad:nazwa>\n{code}"
        f"            <prg-ad:poziom>{level}</prg-ad:poziom>\n"
        "        </prg-ad:PRG_JednostkaAdministracyjnaNazwa>\n"
    )


def write_prg_gml(points: list[AddressPoint], path: Path) -> None:
    """PRG address points in the 2012 model: GML 3.2, ``urn:ogc:def:crs:EPSG::2180`` written
    northing first, the administrative units (with Kielce's TERYT 2661011) as separate features."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(PRG_HEAD)
        for a in points:
            f.write(_point_xml(a))
        for i, (name, teryt, level) in enumerate(UNITS, start=1):
            f.write(_unit_xml(i, name, teryt, level))
        f.write("    </gml:featureMembers>\n</gml:FeatureCollection>\n")


def write_geosites(sites: list[Geosite], path: Path) -> None:
    """GeoJSON (EPSG:2180, legacy ``crs`` member): outline polygons with name, protection,
    description and viewpoints (x, y, z m a.s.l., heading and pitch in degrees)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    feats = []
    for s in sites:
        feats.append({
            "type": "Feature",
            "properties": {
                "site_id": s.site_id,
                "name": s.name,
                "protection": s.protection,
                "description": s.description,
                "viewpoints": [
                    {"name": v.name, "x": v.x, "y": v.y, "z": v.z, "heading_deg": v.heading_deg,
                     "pitch_deg": v.pitch_deg} for v in s.viewpoints
                ],
            },
            "geometry": json.loads(json.dumps(mapping(s.outline)), parse_float=lambda t: round(float(t), 3)),
        })
    doc = {"type": "FeatureCollection", "name": "geosites",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{EPSG}"}}, "features": feats}
    path.write_text(json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n", encoding="utf-8")


def _zone_facts(world: World, z: PlanZone, sealed: BaseGeometry) -> tuple[float, float, float, str]:
    """Built-up share %, bio-active share %, tallest building m and its id, for the last epoch."""
    inside = [b for b in world.buildings[world.epochs[-1]] if z.polygon.contains(b.footprint.representative_point())]
    built = sum(b.footprint.intersection(z.polygon).area for b in inside)
    covered = shapely.union_all([sealed.intersection(z.polygon), *[b.footprint for b in inside]])
    area = z.polygon.area
    tallest = max(inside, key=lambda b: b.height_m, default=None)
    return (100 * built / area, 100 * (area - covered.intersection(z.polygon).area) / area,
            tallest.height_m if tallest else 0.0, tallest.building_id if tallest else "")


def write_zoning_truth(world: World, plans: list[LocalPlan], path: Path) -> None:
    """Per plan and zone: its limits, the measured values (last epoch) and which limits are broken."""
    last = world.epochs[-1]
    sealed = shapely.union_all([s.polygon for s in world.surfaces
                                if s.landcover in SEALED_LANDCOVER and last in s.epochs])
    rows = []
    for plan_id, zones in [(POG_META.local_id, world.plan_zones)] + [(p.local_id, p.zones) for p in plans]:
        for z in zones:
            built, bio, height, tallest = _zone_facts(world, z, sealed)
            over = [b.building_id for b in world.buildings[last]
                    if z.max_height_m is not None and b.height_m > z.max_height_m
                    and z.polygon.contains(b.footprint.representative_point())]
            broken = []
            if over:
                broken.append("max_height")
            if z.max_built_share_pct is not None and built > z.max_built_share_pct:
                broken.append("max_built_share")
            if z.min_bio_share_pct is not None and bio < z.min_bio_share_pct:
                broken.append("min_bio_share")
            rows.append([plan_id, z.oznaczenie, z.symbol, f"{z.polygon.area:.1f}", _n(z.max_height_m),
                         _n(z.max_built_share_pct), _n(z.min_bio_share_pct), f"{height:.2f}", tallest,
                         f"{built:.1f}", f"{bio:.1f}", "|".join(broken), "|".join(over)])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["plan", "oznaczenie", "symbol", "area_m2", "max_height_m", "max_built_share_pct",
                    "min_bio_share_pct", "tallest_m", "tallest_building_id", "built_share_pct", "bio_share_pct",
                    "broken", "buildings_over_height"])
        w.writerows(rows)


def _n(v: float | None) -> str:
    return "" if v is None else f"{v:.1f}"
