"""Write the bad-input corpus: tests/data/bad/<loader>/<case>.<ext> plus tests/data/bad/EXPECTED.yaml.

Every loader gets every malformed kind that applies to it (empty, header only, truncated,
wrong encoding, delimiter, missing column, duplicated ids, non-numbers, decimal commas,
swapped or far-away coordinates, NaN/inf, absurd values, missing/mixed/other CRS, invalid,
empty or wrong geometries, garbage, an HTML error page, a ZIP/gzip under the wrong name,
rasters with the wrong bands/dtype/pixels, LAS without or with another CRS) and a good
control file. EXPECTED.yaml says, per file, the exact outcome `tests/system/test_bad_corpus.py`
asserts. Deterministic: run it again and every byte is the same (a test checks that).

    .venv/bin/python scripts/make_bad_corpus.py [--out tests/data/bad]

Longer than ~300 lines on purpose: a table of corpus cases, one case a line, is easier to review in
one place.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import random
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "data" / "bad"
EPOCH = "2024-06-15"
#: Inside the sample district of Kielce (EPSG:2180).
E0, N0 = 614_100.0, 334_700.0
FIXED_OGR_DATE = "2024-01-01T00:00:00Z"


@dataclass
class Case:
    """One corpus file, how to load it and what must happen."""

    loader: str
    name: str
    what: str
    make: Callable[[], bytes] | None
    expect: dict
    args: list[str] = field(default_factory=list)
    companions: list[str] = field(default_factory=list)


def refused(message: str, *, exit_code: int = 1) -> dict:
    """The whole file refused with a one-line message containing `message`."""
    return {"outcome": "refused", "exit_code": exit_code, "message": message}


def loaded(rows_in: int, rows_loaded: int, rows_rejected: int, *reasons: str, notes: tuple[str, ...] = (),
           exit_code: int | None = None) -> dict:
    """Loaded with these exact counts; each reason substring appears in msip.rejected_record.

    The run is recorded either way (`failed`, keeping its rejected rows, when every row was
    rejected); the command then exits 1, so that a script does not take it for a success."""
    if exit_code is None:
        exit_code = 1 if rows_loaded == 0 and rows_rejected > 0 else 0
    out = {"outcome": "loaded", "exit_code": exit_code, "rows_in": rows_in, "rows_loaded": rows_loaded,
           "rows_rejected": rows_rejected, "reasons": list(reasons)}
    if notes:
        out["notes"] = list(notes)
    return out


# --- generic malformed bytes ------------------------------------------------------------------

def garbage(n: int = 600, seed: int = 9) -> bytes:
    """Random bytes (fixed seed) that decode as nothing in particular."""
    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n))


HTML_PAGE = (b"<!DOCTYPE html>\n<html lang=\"pl\"><head><meta charset=\"utf-8\"><title>502 Bad Gateway</title>"
             b"</head>\n<body><h1>502 Bad Gateway</h1><p>Serwer chwilowo niedost\xc4\x99pny.</p></body></html>\n")


def zipped(inner_name: str, data: bytes) -> bytes:
    """A ZIP archive holding `data` (fixed timestamps)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(inner_name, date_time=(2024, 1, 1, 0, 0, 0))
        z.writestr(info, data)
    return buf.getvalue()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# --- tree and advertising CSVs ----------------------------------------------------------------

TREE_HEADER = "nr_inwentarzowy;gatunek;wysokosc_m;obwod_pnia_cm;srednica_korony_m;x_2180;y_2180"
TREE_ROWS = [
    "D-1;lipa drobnolistna;6,5;45;3,6;614100,10;334700,20",
    "D-2;klon zwyczajny;8,7;69;3,4;614110,50;334705,70",
    "D-3;dąb szypułkowy;12,1;120;6,0;614120,00;334710,00",
    "D-4;brzoza brodawkowata;10,0;60;4,0;614130,00;334715,00",
]


def lines(*rows: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(rows) + "\n").encode(encoding)


def trees_csv(*rows: str, header: str = TREE_HEADER, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: lines(header, *rows, encoding=encoding)


AD_HEADER = ("id_nosnika;typ_nosnika;liczba_stron;powierzchnia_ekspozycji_m2;podswietlenie;wysokosc_m;"
             "data_instalacji;x_2180;y_2180")
AD_ROWS = [
    "NR-1;wolnostojący;2;12,0;tak;5,0;2020-05-17;614100,0;334700,0",
    "NR-2;mural;1;40,5;nie;11,0;2019-01-02;614150,0;334750,0",
    "NR-3;słup ogłoszeniowy;3;4,7;tak;2,7;2018-03-04;614200,0;334800,0",
]


def ads_csv(*rows: str, header: str = AD_HEADER) -> Callable[[], bytes]:
    return lambda: lines(header, *rows)


# --- GeoJSON (written by hand: byte-stable, CRS member under our control) ---------------------

CRS_2180 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}


def geojson(features: list[dict], crs: dict | None = CRS_2180, name: str = "layer") -> bytes:
    doc: dict = {"type": "FeatureCollection", "name": name}
    if crs is not None:
        doc["crs"] = crs
    doc["features"] = features
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def feature(props: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def square(e: float, n: float, size: float = 20.0) -> list[list[float]]:
    return [[e, n], [e + size, n], [e + size, n + size], [e, n + size], [e, n]]


def poly(ring: list[list[float]]) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


BOWTIE = [[E0, N0], [E0 + 20, N0 + 20], [E0 + 20, N0], [E0, N0 + 20], [E0, N0]]
UNCLOSED = [[E0, N0], [E0 + 20, N0], [E0 + 20, N0 + 20], [E0, N0 + 20]]


def tree_features(n: int = 3) -> list[dict]:
    return [feature({"inventory_id": f"T-{i}", "species": "lime", "height_m": 8.0 + i},
                    {"type": "Point", "coordinates": [E0 + 10 * i, N0 + 5 * i]}) for i in range(1, n + 1)]


def building(i: int, geometry: dict | None, **props) -> dict:
    return feature({"building_id": f"B-{i}", "kind": "residential", "storeys": 3, "height_m": 9.5, **props}, geometry)


def buildings(*extra: dict, n: int = 2) -> bytes:
    return geojson([building(i, poly(square(E0 + 30 * i, N0))) for i in range(1, n + 1)] + list(extra),
                   name="buildings")


def park(i: int, geometry: dict | None, **props) -> dict:
    return feature({"park_id": f"P-{i}", "name": f"Park {i}", "kind": "park", "public_access": "tak", **props},
                   geometry)


def parks(*extra: dict) -> bytes:
    return geojson([park(i, poly(square(E0 + 60 * i, N0 + 100, 50))) for i in (1, 2)] + list(extra), name="parks")


def street(i: int, coords: list | None, *, geometry: dict | None = None, **props) -> dict:
    geom = geometry if geometry is not None else {"type": "LineString", "coordinates": coords}
    return feature({"street_id": f"S-{i}", "name": f"ulica {i}", "road_class": "L", "width_m": 6.0, **props}, geom)


def streets(*extra: dict) -> bytes:
    base = [street(1, [[E0, N0], [E0 + 100, N0]]), street(2, [[E0 + 50, N0 - 50], [E0 + 50, N0 + 50]])]
    return geojson(base + list(extra), name="streets")


def zone_feature(i: int, code: str, geometry: dict | None) -> dict:
    return feature({"zone_id": f"Z-{i}", "zone_code": code, "name": f"Strefa {code}"}, geometry)


def zones(*extra: dict, crs: dict | None = CRS_2180) -> bytes:
    return geojson([zone_feature(1, "A", poly(square(E0, N0, 100))),
                    zone_feature(2, "B", poly(square(E0 + 100, N0, 100))), *extra], crs=crs, name="strefy")


# --- GeoPackage (GDAL; timestamps pinned) -----------------------------------------------------

def gpkg(rows: list[dict], geoms: list, epsg: int | None, layer: str) -> bytes:
    import tempfile

    import geopandas as gpd
    import pyogrio

    folder = tempfile.mkdtemp(prefix="msip-bad-")
    tmp = Path(folder) / f"{layer}.gpkg"
    frame = gpd.GeoDataFrame(rows or {"inventory_id": []}, geometry=geoms, crs=f"EPSG:{epsg}" if epsg else None)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_OGR_DATE})
    try:
        frame.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    try:
        return tmp.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def trees_gpkg(epsg: int | None = 2180, n: int = 3, offset: tuple[float, float] = (0.0, 0.0)) -> bytes:
    from shapely.geometry import Point

    rows = [{"inventory_id": f"T-{i}", "species": "lime", "height_m": 8.0 + i} for i in range(1, n + 1)]
    geoms = [Point(E0 + 10 * i + offset[0], N0 + 5 * i + offset[1]) for i in range(1, n + 1)]
    return gpkg(rows, geoms, epsg, "trees")


# --- APP GML ----------------------------------------------------------------------------------

APP2 = "https://www.gov.pl/static/zagospodarowanieprzestrzenne/schemas/app/2.0"
NS = "PL.ZIPPZP.9999/266101-POG"
SRS = "http://www.opengis.net/def/crs/EPSG/0/2180"  # northing first in GML 3.2
ACT = f"https://www.gov.pl/zagospodarowanieprzestrzenne/app/AktPlanowaniaPrzestrzennego/{NS}/1POG"
GML_HEAD = ("<?xml version='1.0' encoding='{enc}'?>\n<wfs:FeatureCollection xmlns:app=\"{app}\" "
            "xmlns:gml=\"http://www.opengis.net/gml/3.2\" xmlns:wfs=\"http://www.opengis.net/wfs/2.0\" "
            "xmlns:xlink=\"http://www.w3.org/1999/xlink\" timeStamp=\"2025-01-01T00:00:00Z\" "
            "numberReturned=\"{n}\" numberMatched=\"unknown\">\n")


def pos_list(ring: list[list[float]], *, northing_first: bool = True) -> str:
    return " ".join(f"{n:.2f} {e:.2f}" if northing_first else f"{e:.2f} {n:.2f}" for e, n in ring)


def gml_polygon(gid: str, ring: list[list[float]] | str, srs: str | None = SRS, *, northing_first: bool = True) -> str:
    text = ring if isinstance(ring, str) else pos_list(ring, northing_first=northing_first)
    srs_attr = f' srsName="{srs}"' if srs else ""
    return (f'<gml:Polygon gml:id="{gid}"{srs_attr} srsDimension="2"><gml:exterior><gml:LinearRing>'
            f"<gml:posList>{text}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>")


def iip(local: str) -> str:
    return (f"<app:idIIP><app:Identyfikator><app:przestrzenNazw>{NS}</app:przestrzenNazw>"
            f"<app:lokalnyId>{local}</app:lokalnyId><app:wersjaId>20250101T000000</app:wersjaId>"
            "</app:Identyfikator></app:idIIP>")


def gml_act() -> str:
    outline = gml_polygon("act-G1", square(E0, N0, 200))
    return (f"  <wfs:member>\n    <app:AktPlanowaniaPrzestrzennego gml:id=\"act-1POG\">\n      {iip('1POG')}\n"
            "      <app:tytul>Plan ogólny (korpus złych danych)</app:tytul>\n"
            "      <app:typPlanu xlink:href=\"https://www.gov.pl/static/zagospodarowanieprzestrzenne/codelist/"
            "TypAktuPlanowaniaPrzestrzennegoKod/planOgolnyGminy\" xlink:title=\"plan ogólny gminy\"/>\n"
            "      <app:obowiazujeOd>2025-02-01</app:obowiazujeOd>\n"
            f"      <app:zasiegPrzestrzenny><gml:MultiSurface gml:id=\"act-G\" srsName=\"{SRS}\" srsDimension=\"2\">"
            f"<gml:surfaceMember>{outline}</gml:surfaceMember></gml:MultiSurface></app:zasiegPrzestrzenny>\n"
            "    </app:AktPlanowaniaPrzestrzennego>\n  </wfs:member>\n")


def gml_zone(local: str, geometry: str | None, *, symbol: str = "SW", height: str = "12.5",
             with_iip: bool = True) -> str:
    geom = f"\n      <app:geometria>{geometry}</app:geometria>" if geometry is not None else ""
    return (f"  <wfs:member>\n    <app:StrefaPlanistyczna gml:id=\"z-{local}\">\n"
            f"      {iip(local) if with_iip else ''}\n      <app:oznaczenie>{local}</app:oznaczenie>\n"
            f"      <app:symbol>{symbol}</app:symbol>{geom}\n      <app:plan xlink:href=\"{ACT}\"/>\n"
            "      <app:maksUdzialPowierzchniZabudowy>30.0</app:maksUdzialPowierzchniZabudowy>\n"
            f"      <app:maksWysokoscZabudowy uom=\"m\">{height}</app:maksWysokoscZabudowy>\n"
            "      <app:minUdzialPowierzchniBiologicznieCzynnej>40.0</app:minUdzialPowierzchniBiologicznieCzynnej>\n"
            "    </app:StrefaPlanistyczna>\n  </wfs:member>\n")


def good_zone(local: str, col: int) -> str:
    return gml_zone(local, gml_polygon(f"z-{local}-G", square(E0 + 100 * col, N0, 100)))


def gml_doc(*members: str, encoding: str = "utf-8", declared: str | None = None, app: str = APP2) -> bytes:
    head = GML_HEAD.replace("{n}", str(len(members))).replace("{enc}", declared or encoding).replace("{app}", app)
    return (head + "".join(members) + "</wfs:FeatureCollection>\n").encode(encoding)


def plan_with(zone: str) -> Callable[[], bytes]:
    """The act, one good zone and `zone` (the member under test)."""
    return lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0), zone)


# --- GeoTIFF tiles ----------------------------------------------------------------------------

def tiff(*, count: int = 4, dtype: str = "uint8", epsg: int | None = 2180, res: tuple[float, float] = (0.25, 0.25),
         origin: tuple[float, float] = (E0, N0 + 8.0), size: int = 32, descriptions: bool = True) -> bytes:
    import numpy as np
    import rasterio
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    rnd = np.random.default_rng(3)
    data = rnd.integers(20, 200, size=(count, size, size)).astype(dtype)
    profile = {"driver": "GTiff", "width": size, "height": size, "count": count, "dtype": dtype,
               "transform": from_origin(origin[0], origin[1], res[0], res[1]), "photometric": "MINISBLACK"}
    if epsg is not None:
        profile["crs"] = rasterio.crs.CRS.from_epsg(epsg)
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(data)
            if descriptions:
                names = ("red", "green", "blue", "nir")
                for i in range(count):
                    dst.set_band_description(i + 1, names[i] if i < 4 else f"band{i + 1}")
        return bytes(mem.read())


# --- LAS / LAZ --------------------------------------------------------------------------------

def las(*, epsg: int | None = 2180, compress: bool = True, origin: tuple[float, float] = (E0, N0),
        z_override: dict[int, float] | None = None, version: str = "1.4", point_format: int = 6,
        transform_to: int | None = None) -> bytes:
    """A 20 m × 20 m patch: gently sloping ground (class 2) with one 8 m tree (class 5), 1 pt/m²."""
    import datetime as dt

    import laspy
    import numpy as np
    from pyproj import CRS, Transformer

    gx, gy = np.meshgrid(np.arange(0.5, 20, 1.0), np.arange(0.5, 20, 1.0))
    x = origin[0] + gx.ravel()
    y = origin[1] + gy.ravel()
    z = 260.0 + 0.02 * gx.ravel()
    cls = np.full(x.size, 2, np.uint8)
    tree = np.hypot(gx.ravel() - 10, gy.ravel() - 10) < 2.5
    z[tree] += 8.0 - np.hypot(gx.ravel()[tree] - 10, gy.ravel()[tree] - 10)
    cls[tree] = 5
    for i, value in (z_override or {}).items():
        z[i] = value
    if transform_to is not None:
        x, y = Transformer.from_crs(2180, transform_to, always_xy=True).transform(x, y)
    header = laspy.LasHeader(point_format=point_format, version=version)
    header.scales = np.array([0.01, 0.01, 0.01])
    header.offsets = np.array([np.floor(x.min()), np.floor(y.min()), 0.0])
    if epsg is not None:
        header.add_crs(CRS.from_epsg(epsg))
    header.system_identifier = "MSIP bad corpus"
    header.generating_software = "scripts/make_bad_corpus.py"
    header.creation_date = dt.date(2024, 6, 15)
    data = laspy.LasData(header)
    data.x, data.y, data.z = x, y, z
    data.classification = cls
    data.return_number = np.ones(x.size, np.uint8)
    data.number_of_returns = np.ones(x.size, np.uint8)
    data.intensity = np.full(x.size, 100, np.uint16)
    buf = io.BytesIO()
    data.write(buf, do_compress=compress, laz_backend=laspy.LazBackend.Lazrs if compress else None)
    return buf.getvalue()


def las_header_only() -> bytes:
    import datetime as dt

    import laspy
    from pyproj import CRS

    header = laspy.LasHeader(point_format=6, version="1.4")
    header.add_crs(CRS.from_epsg(2180))
    header.system_identifier = "MSIP bad corpus"
    header.generating_software = "scripts/make_bad_corpus.py"
    header.creation_date = dt.date(2024, 6, 15)
    buf = io.BytesIO()
    laspy.LasData(header).write(buf)
    return buf.getvalue()


# --- advertising rules YAML -------------------------------------------------------------------

RULES = """\
version: 1
crs: EPSG:2180
free_standing_types: [wolnostojący, ekran LED]
building_mounted_types: [mural]
global_rules:
  MIN_DISTANCE_TREE: {applies_to: free_standing, min_distance_m: 5.0}
zones:
  A:
    name: Strefa A
    carriers:
      wolnostojący: {allowed: false, max_face_area_m2: null, max_height_m: null}
      ekran LED: {allowed: false, max_face_area_m2: null, max_height_m: null}
      mural: {allowed: true, max_face_area_m2: 40.0, max_height_m: 12.0}
  B:
    name: Strefa B – śródmieście
    carriers:
      wolnostojący: {allowed: true, max_face_area_m2: 12.0, max_height_m: 5.0}
      ekran LED: {allowed: true, max_face_area_m2: 8.0, max_height_m: 5.0}
      mural: {allowed: true, max_face_area_m2: 60.0, max_height_m: 20.0}
"""


def rules(old: str = "", new: str = "", *, encoding: str = "utf-8") -> Callable[[], bytes]:
    return lambda: (RULES.replace(old, new, 1) if old else RULES).encode(encoding)


def cut(make: Callable[[], bytes], fraction: float) -> Callable[[], bytes]:
    """The first `fraction` of a file, as a broken download leaves it."""
    def make_cut() -> bytes:
        data = make()
        return data[: int(len(data) * fraction)]

    return make_cut


# --- the corpus -------------------------------------------------------------------------------

def cases() -> list[Case]:
    """Every corpus file with its expected outcome (see the module docstring)."""
    c: list[Case] = []

    def add(loader, name, what, make, expect, args=(), companions=()):
        c.append(Case(loader, name, what, make, expect, list(args), list(companions)))

    good_trees = trees_csv(*TREE_ROWS)
    # trees ---------------------------------------------------------------------------------
    t = "trees"
    add(t, "good.csv", "control: a clean file", good_trees, loaded(4, 4, 0))
    add(t, "empty.csv", "empty file (0 bytes)", lambda: b"", refused("empty.csv is empty"))
    add(t, "header_only.csv", "header only", trees_csv(), refused("header_only.csv has no data rows"))
    add(t, "truncated.csv", "cut in the middle of the last record", cut(good_trees, 0.86),
        loaded(4, 3, 1, "truncated.csv row 4: x_2180 is empty; each tree needs coordinates"))
    add(t, "cp1250.csv", "CP1250 bytes (no BOM, no declaration)", trees_csv(*TREE_ROWS, encoding="cp1250"),
        loaded(4, 4, 0, notes=("decoded as CP1250",)))
    add(t, "wrong_delimiter.csv", "header with ';', rows with ','",
        trees_csv(*(r.replace(",", ".").replace(";", ",") for r in TREE_ROWS)),
        refused("wrong_delimiter.csv: no row has usable coordinates"))
    add(t, "missing_coordinates.csv", "required columns missing (no x/y, no lon/lat)",
        trees_csv(*(r.rsplit(";", 2)[0] for r in TREE_ROWS), header=TREE_HEADER.rsplit(";", 2)[0]),
        refused("missing_coordinates.csv has no geometry and no coordinate columns"))
    add(t, "duplicate_ids.csv", "the same identifier twice",
        trees_csv(*TREE_ROWS[:3], TREE_ROWS[3].replace("D-4", "D-2")),
        loaded(4, 3, 1, "nr_inwentarzowy='D-2' repeats the identifier of row 2"))
    add(t, "non_numeric.csv", "heights 'XXXX' and '12 m'",
        trees_csv(TREE_ROWS[0], TREE_ROWS[1].replace("8,7", "XXXX"), TREE_ROWS[2].replace("12,1", "12 m"),
                  TREE_ROWS[3]),
        loaded(4, 2, 2, "row 2: wysokosc_m='XXXX' is not a number", "row 3: wysokosc_m='12 m' is not a number"))
    add(t, "decimal_commas.csv", "decimal commas and thousands separators ('614 100,10')",
        trees_csv(*(r.replace("614", "614 ").replace("334", "334 ") for r in TREE_ROWS)), loaded(4, 4, 0))
    add(t, "swapped_xy.csv", "x and y columns swapped (northing in x)",
        trees_csv(*(";".join([*r.split(";")[:5], r.split(";")[6], r.split(";")[5]]) for r in TREE_ROWS)),
        refused("swapped_xy.csv: 4 of 4 points fall outside Kielce"))
    add(t, "latlon_swapped.csv", "lat in the lon column and lon in the lat column",
        trees_csv("D-1;lipa;6,5;45;3,6;50.8700;20.6300", "D-2;klon;8,7;69;3,4;50.8710;20.6310",
                  header=TREE_HEADER.replace("x_2180;y_2180", "lon;lat")),
        refused("the coordinate columns (or the lon/lat order) are swapped"))
    add(t, "outside_poland.csv", "every tree in Berlin (lon/lat)",
        trees_csv("D-1;lipa;6,5;45;3,6;13.4050;52.5200", "D-2;klon;8,7;69;3,4;13.4060;52.5210",
                  header=TREE_HEADER.replace("x_2180;y_2180", "lon;lat")),
        refused("outside_poland.csv: 2 of 2 points fall outside Kielce"))
    add(t, "outside_city_one.csv", "one tree of four in Warsaw",
        trees_csv(*TREE_ROWS[:3], "D-4;lipa;6,5;45;3,6;637000,00;487000,00"),
        loaded(4, 3, 1, "row 4: x_2180,y_2180=637000,00,487000,00: point (E 637000.0, N 487000.0) is outside Kielce"))
    add(t, "nan_inf.csv", "NaN and infinity as values",
        trees_csv(TREE_ROWS[0], TREE_ROWS[1].replace("8,7", "NaN"), TREE_ROWS[2].replace("614120,00", "inf"),
                  TREE_ROWS[3]),
        loaded(4, 2, 2, "row 2: wysokosc_m='NaN' is not a number", "row 3: x_2180='inf' is not a number"))
    add(t, "absurd_height.csv", "height 9999 m",
        trees_csv(TREE_ROWS[0], TREE_ROWS[1].replace("8,7", "9999"), *TREE_ROWS[2:]),
        loaded(4, 3, 1, "row 2: wysokosc_m=9999 m is outside the plausible range 0.5–60 m"))
    add(t, "garbage.csv", "binary garbage with a .csv name", garbage,
        refused("garbage.csv is not UTF-8"))
    add(t, "html_error.csv", "an HTML error page saved as .csv", lambda: HTML_PAGE,
        refused("html_error.csv is an HTML page, not a CSV"))
    add(t, "zip_named.csv", "a ZIP archive named .csv", lambda: zipped("drzewa.csv", good_trees()),
        refused("zip_named.csv is a ZIP archive, not a CSV"))
    add(t, "gzip_named.csv", "a gzip file named .csv", lambda: gzipped(good_trees()),
        refused("gzip_named.csv is a gzip-compressed file, not a CSV"))
    add(t, "empty_geometry.geojson", "a null and an empty point geometry",
        lambda: geojson([
            *tree_features(2),
            feature({"inventory_id": "T-8", "species": "oak", "height_m": 9.0}, None),
            feature({"inventory_id": "T-9", "species": "oak", "height_m": 9.0}, {"type": "Point", "coordinates": []})]),
        loaded(4, 2, 2, "row 3: geometry is missing; each tree needs a point position",
               "row 4: geometry is missing"))
    add(t, "wrong_geometry_type.geojson", "a polygon where a point is expected",
        lambda: geojson([*tree_features(2), feature({"inventory_id": "T-9", "height_m": 9.0}, poly(square(E0, N0)))]),
        loaded(3, 2, 1, "row 3: geometry is a Polygon; each tree needs a point position"))
    add(t, "missing_crs.geojson", "EPSG:2180 coordinates without a crs member (GeoJSON means WGS84)",
        lambda: geojson(tree_features(3), crs=None),
        refused("missing_crs.geojson: coordinates such as (614110, 334705) are not longitude/latitude degrees"))
    add(t, "header_only.gpkg", "a GeoPackage layer without features", lambda: trees_gpkg(n=0),
        refused("header_only.gpkg has no data rows"))
    add(t, "truncated.gpkg", "the first half of a GeoPackage", cut(lambda: trees_gpkg(), 0.5),
        refused("truncated.gpkg cannot be opened as a vector file"))
    add(t, "other_crs.gpkg", "a GeoPackage in EPSG:3857 (not accepted)", lambda: trees_gpkg(epsg=3857),
        refused("other_crs.gpkg: CRS EPSG:3857 is not accepted"))

    # ads -----------------------------------------------------------------------------------
    a = "ads"
    add(a, "good.csv", "control: a clean file", ads_csv(*AD_ROWS), loaded(3, 3, 0))
    add(a, "empty.csv", "empty file (0 bytes)", lambda: b"", refused("empty.csv is empty"))
    add(a, "header_only.csv", "header only", ads_csv(), refused("header_only.csv has no data rows"))
    add(a, "bad_values.csv", "faces 'dwie' and 1,5, an unknown yes/no, an impossible date, area 99999",
        ads_csv(AD_ROWS[0].replace(";2;", ";dwie;"), AD_ROWS[1].replace(";1;", ";1,5;"),
                AD_ROWS[2].replace(";tak;", ";może;"), "NR-4;pylon;1;99999;tak;6,0;2020-01-01;614250,0;334850,0",
                "NR-5;pylon;1;10;tak;6,0;31.02.2020;614260,0;334860,0", "NR-6;pylon;1;10;tak;6,0;;614270,0;334870,0"),
        loaded(6, 1, 5, "liczba_stron='dwie' is not a number", "liczba_stron=1.5 is not a whole number",
               "podswietlenie='może' is not yes/no", "powierzchnia_ekspozycji_m2=99999",
               "data_instalacji='31.02.2020' is not a date"))
    add(a, "duplicate_ids.csv", "the same carrier id twice", ads_csv(*AD_ROWS, AD_ROWS[0].replace("614100", "614300")),
        loaded(4, 3, 1, "id_nosnika='NR-1' repeats the identifier of row 1"))
    add(a, "latitude_first.csv", "lat/lon columns holding each other's values",
        ads_csv("NR-1;pylon;1;10;tak;6,0;2020-01-01;50.87;20.63", "NR-2;pylon;1;10;tak;6,0;2020-01-01;50.88;20.64",
                header=AD_HEADER.replace("x_2180;y_2180", "longitude;latitude")),
        refused("the coordinate columns (or the lon/lat order) are swapped"))
    add(a, "unknown_type.csv", "a carrier type nobody mapped", ads_csv(AD_ROWS[0].replace("wolnostojący", "sterowiec")),
        loaded(1, 1, 0, notes=("carrier type(s) not recognised, stored as 'other'",)))
    add(a, "html_error.csv", "an HTML error page saved as .csv", lambda: HTML_PAGE,
        refused("html_error.csv is an HTML page, not a CSV"))

    # landscape zones -----------------------------------------------------------------------
    z = "landscape_zones"
    add(z, "good.geojson", "control: two zones", zones, loaded(2, 2, 0))
    add(z, "empty.geojson", "empty file (0 bytes)", lambda: b"", refused("empty.geojson is empty (0 bytes)"))
    add(z, "header_only.geojson", "a FeatureCollection without features", lambda: geojson([]),
        refused("header_only.geojson has no data rows"))
    add(z, "self_intersection.geojson", "a bow-tie zone (repaired with a note by default)",
        lambda: zones(zone_feature(3, "C", poly(BOWTIE))),
        loaded(3, 3, 0, notes=("1 invalid zone polygon(s) repaired",)))
    add(z, "self_intersection_reject.geojson", "the bow-tie with --on-invalid reject",
        lambda: zones(zone_feature(3, "C", poly(BOWTIE))),
        loaded(3, 2, 1, "row 3: geometry=Polygon: invalid geometry: Self-intersection"), args=["--on-invalid", "reject"])
    add(z, "unclosed_ring.geojson", "a ring whose last point is not its first",
        lambda: zones(zone_feature(3, "C", poly(UNCLOSED))), loaded(3, 2, 1, "row 3: geometry cannot be built"))
    add(z, "wrong_code_and_geometry.geojson", "zone class E, a point zone, an empty and a null geometry",
        lambda: zones(zone_feature(3, "E", poly(square(E0, N0 + 100, 50))),
                      zone_feature(4, "C", {"type": "Point", "coordinates": [E0, N0]}),
                      zone_feature(5, "D", {"type": "Polygon", "coordinates": []}),
                      zone_feature(6, "D", None)),
        loaded(6, 2, 4, "zone_code='E' is not a landscape zone class A–D",
               "row 4: geometry=Point: geometry is a Point, expected a Polygon or MultiPolygon",
               "row 5: geometry=Polygon: geometry is missing or empty", "row 6: geometry=None: geometry is missing or empty"))
    add(z, "missing_crs.geojson", "EPSG:2180 coordinates without a crs member (GeoJSON means WGS84)",
        lambda: zones(crs=None), refused("missing_crs.geojson: coordinates such as (614100, 334700) are not longitude"))
    add(z, "missing_code.geojson", "no zone code column",
        lambda: geojson([feature({"zone_id": "Z-1"}, poly(square(E0, N0, 100)))]),
        refused("missing_code.geojson has no zone code column"))
    add(z, "zip_named.geojson", "a ZIP archive named .geojson", lambda: zipped("strefy.geojson", zones()),
        refused("zip_named.geojson is a ZIP archive"))

    # zoning (APP GML) ----------------------------------------------------------------------
    g = "zoning"
    add(g, "good.gml", "control: act and two zones", lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0),
                                                                     good_zone("1POG-2SW", 1)),
        loaded(3, 3, 0))
    add(g, "empty.gml", "empty file (0 bytes)", lambda: b"", refused("empty.gml is empty (0 bytes)"))
    add(g, "header_only.gml", "a FeatureCollection without members", lambda: gml_doc(),
        refused("header_only.gml: no feature in an APP namespace (found: no features at all)"))
    add(g, "truncated.gml", "cut in the middle of a member",
        cut(lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0), good_zone("1POG-2SW", 1)), 0.7),
        refused("truncated.gml: not well-formed XML at line"))
    add(g, "cp1250_declared_utf8.gml", "CP1250 bytes in a file declaring UTF-8",
        lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0), encoding="cp1250", declared="utf-8"),
        refused("cp1250_declared_utf8.gml: not well-formed XML at line 6"))
    add(g, "utf8_declared_cp1250.gml", "UTF-8 bytes in a file declaring windows-1250 (letters garbled, loaded)",
        lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0), declared="windows-1250"), loaded(2, 2, 0))
    add(g, "not_app_namespace.gml", "features in a namespace that is not APP",
        lambda: gml_doc(gml_act(), app="http://example.org/not-app"),
        refused("not_app_namespace.gml: no feature in an APP namespace (found: http://example.org/not-app)"))
    add(g, "html_error.gml", "an HTML error page saved as .gml", lambda: HTML_PAGE,
        refused("html_error.gml is an HTML page, not APP GML"))
    add(g, "garbage.gml", "binary garbage with a .gml name", garbage, refused("garbage.gml: not well-formed XML"))
    add(g, "gzip_named.gml", "a gzip file named .gml",
        lambda: gzipped(gml_doc(gml_act())), refused("gzip_named.gml is a gzip-compressed file"))
    add(g, "duplicate_ids.gml", "the same idIIP twice", plan_with(good_zone("1POG-1SW", 1)),
        loaded(3, 2, 1, "duplicate idIIP (first at member 2)"))
    add(g, "missing_iip.gml", "a zone without idIIP",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", square(E0 + 100, N0, 100)), with_iip=False)),
        loaded(3, 2, 1, "missing idIIP"))
    add(g, "non_numeric_coordinates.gml", "a decimal comma in the posList",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", pos_list(square(E0 + 100, N0, 100)).replace(".00", ",5", 1)))),
        loaded(3, 2, 1, "which is not a number"))
    add(g, "nan_coordinates.gml", "NaN and INF in the posList",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", pos_list(square(E0 + 100, N0, 100)).replace(
            f"{N0:.2f}", "NaN", 1).replace(f"{E0 + 200:.2f}", "INF", 1)))),
        loaded(3, 2, 1, "holds 'NaN', which is not a finite number"))
    add(g, "odd_coordinates.gml", "an odd count of numbers in a 2-D posList",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", pos_list(square(E0 + 100, N0, 100)) + " 334700.00"))),
        loaded(3, 2, 1, "has 11 numbers, not a multiple of srsDimension=2"))
    add(g, "swapped_axes.gml", "easting first under an opengis.net srsName (northing first)",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", square(E0 + 100, N0, 100), northing_first=False))),
        loaded(3, 2, 1, "inside it with the two coordinates swapped"))
    add(g, "outside_poland.gml", "a zone at E 950 000 (east of Poland)",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", square(950_000, N0, 100)))),
        loaded(3, 2, 1, "is outside Poland"))
    add(g, "unknown_crs.gml", "a zone in EPSG:3857",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", square(E0 + 100, N0, 100),
                                                  "http://www.opengis.net/def/crs/EPSG/0/3857"))),
        loaded(3, 2, 1, "CRS EPSG:3857 is not accepted"))
    add(g, "missing_crs.gml", "a polygon without srsName",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", square(E0 + 100, N0, 100), None))),
        loaded(3, 2, 1, "has no srsName"))
    add(g, "mixed_crs.gml", "a MultiSurface whose members use different CRSs",
        plan_with(gml_zone("1POG-3SW", f'<gml:MultiSurface gml:id="z3" srsName="{SRS}"><gml:surfaceMember>'
                           + gml_polygon("z3a", square(E0 + 100, N0, 50)) + "</gml:surfaceMember><gml:surfaceMember>"
                           + gml_polygon("z3b", square(E0 + 150, N0, 50), "http://www.opengis.net/def/crs/EPSG/0/2178")
                           + "</gml:surfaceMember></gml:MultiSurface>")),
        loaded(3, 2, 1, "use one CRS per geometry"))
    add(g, "self_intersection.gml", "a bow-tie zone (repaired with a note)",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", [[E0 + 100 + e - E0, n] for e, n in BOWTIE]))),
        loaded(3, 3, 0, notes=("repaired invalid geometry (Self-intersection",)))
    add(g, "unclosed_ring.gml", "a ring whose last position is not its first (closed with a note)",
        plan_with(gml_zone("1POG-3SW", gml_polygon("z3", square(E0 + 100, N0, 100)[:4]))),
        loaded(3, 3, 0, notes=("was not closed; closed it",)))
    add(g, "empty_geometry.gml", "a zone with an empty MultiSurface, and one without geometry",
        lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0),
                        gml_zone("1POG-3SW", f'<gml:MultiSurface gml:id="z3" srsName="{SRS}"></gml:MultiSurface>'),
                        gml_zone("1POG-4SW", None)),
        loaded(4, 2, 2, "holds no polygon", "has no geometry"))
    add(g, "wrong_geometry_type.gml", "a zone given as a gml:Point",
        plan_with(gml_zone("1POG-3SW", f'<gml:Point gml:id="z3" srsName="{SRS}"><gml:pos>{N0} {E0}</gml:pos></gml:Point>')),
        loaded(3, 2, 1, "gml:Point (line"))
    add(g, "absurd_values.gml", "height 9999 m, 'abc' as a height, an unknown symbol",
        lambda: gml_doc(gml_act(), good_zone("1POG-1SW", 0),
                        gml_zone("1POG-3SW", gml_polygon("z3", square(E0 + 100, N0, 100)), height="9999"),
                        gml_zone("1POG-4SW", gml_polygon("z4", square(E0 + 100, N0 + 100, 100)), height="abc"),
                        gml_zone("1POG-5XX", gml_polygon("z5", square(E0, N0 + 100, 100)), symbol="XX")),
        loaded(5, 2, 3, "maksWysokoscZabudowy=9999", "maksWysokoscZabudowy='abc' is not a number",
               "symbol='XX' is not a plan-ogólny zone symbol"))

    # base layers ---------------------------------------------------------------------------
    b = "buildings"
    add(b, "good.geojson", "control: two buildings", buildings, loaded(2, 2, 0))
    add(b, "empty.geojson", "empty file (0 bytes)", lambda: b"", refused("empty.geojson is empty (0 bytes)"))
    add(b, "header_only.geojson", "a FeatureCollection without features", lambda: geojson([]),
        refused("header_only.geojson layer 'layer' holds no features"))
    add(b, "truncated.geojson", "cut in the middle of a feature", cut(buildings, 0.6),
        refused("truncated.geojson: cannot be read as geojson"))
    add(b, "bad_values.geojson", "storeys 'dwa', height 9999 m, a duplicated id, NaN population",
        lambda: buildings(building(3, poly(square(E0, N0 + 50)), storeys="dwa"),
                          building(4, poly(square(E0 + 30, N0 + 50)), height_m=9999),
                          building(1, poly(square(E0 + 60, N0 + 50))),
                          building(5, poly(square(E0 + 90, N0 + 50)), population="NaN")),
        loaded(6, 2, 4, "storeys='dwa' is not a number", "height_m=9999 m is outside the plausible range",
               "duplicate id 'B-1' (first at row 1)", "population='NaN' is not a number"))
    add(b, "invalid_geometries.geojson", "a bow-tie, an unclosed ring, a point, an empty and a null geometry",
        lambda: buildings(building(3, poly(BOWTIE)), building(4, poly(UNCLOSED)),
                          building(5, {"type": "Point", "coordinates": [E0, N0]}),
                          building(6, {"type": "Polygon", "coordinates": []}), building(7, None)),
        loaded(7, 3, 4, "(id B-4): geometry is missing or empty, or could not be built", "(id B-5): geometry is a Point",
               "(id B-6): geometry is missing or empty", "(id B-7): geometry is missing or empty",
               notes=("id B-3: repaired invalid geometry (Self-intersection",)))
    add(b, "self_intersection_reject.geojson", "a bow-tie with --on-invalid reject",
        lambda: buildings(building(3, poly(BOWTIE)), building(5, {"type": "Point", "coordinates": [E0, N0]})),
        loaded(4, 2, 2, "(id B-3): invalid geometry: Self-intersection", "(id B-5): geometry is a Point"),
        args=["--on-invalid", "reject"])
    add(b, "missing_crs.geojson", "EPSG:2180 coordinates without a crs member (GeoJSON means WGS84)",
        lambda: geojson([building(1, poly(square(E0, N0)))], crs=None),
        refused("missing_crs.geojson: coordinates such as (614100, 334700) are not longitude"))
    add(b, "missing_id.geojson", "no id column",
        lambda: geojson([feature({"kind": "residential"}, poly(square(E0, N0)))]),
        refused("missing_id.geojson layer 'layer' has no id column"))
    add(b, "garbage.gpkg", "binary garbage with a .gpkg name", garbage, refused("garbage.gpkg: cannot be read as gpkg"))
    p = "parks"
    add(p, "good.geojson", "control: two parks", parks, loaded(2, 2, 0))
    add(p, "bad_values.geojson", "public access 'może', a park in Warsaw, swapped axes",
        lambda: parks(park(3, poly(square(E0, N0 + 300, 50)), public_access="może"),
                      park(4, poly(square(637_000, 487_000, 50))),
                      park(5, poly([[n, e] for e, n in square(E0, N0 + 400, 50)]))),
        loaded(5, 2, 3, "public_access='może' is not a yes/no value", "(id P-4): point (E 637025.0",
               "(id P-5): point (E 335125.0, N 614125.0) is outside Kielce"))
    s = "streets"
    add(s, "good.geojson", "control: two crossing streets", streets, loaded(2, 2, 0))
    add(s, "bad_values.geojson", "a polygon street, a motorway, a zero-length line, width 'szeroka'",
        lambda: streets(street(3, None, geometry=poly(square(E0, N0))), street(4, [[E0, N0 + 10], [E0 + 50, N0 + 10]],
                                                                            road_class="motorway"),
                        street(5, [[E0, N0 + 20], [E0, N0 + 20]]), street(6, [[E0, N0 + 30], [E0 + 9, N0 + 30]],
                                                                        width_m="szeroka")),
        loaded(6, 2, 4, "geometry is a Polygon, expected a LineString", "road_class='motorway' is closed to pedestrians",
               "line has zero length", "width_m='szeroka' is not a number"))

    # orthophoto ----------------------------------------------------------------------------
    o = "orthophoto"

    def good_tif() -> bytes:
        return tiff()

    add(o, "good.tif", "control: a 4-band R,G,B,NIR tile", good_tif, loaded(1, 1, 0))
    add(o, "good_2.tif", "control: the tile east of good.tif", lambda: tiff(origin=(E0 + 8.0, N0 + 8.0)),
        loaded(1, 1, 0))
    add(o, "empty.tif", "empty file (0 bytes)", lambda: b"", loaded(1, 0, 1, "empty.tif: cannot be read as a GeoTIFF"))
    add(o, "header_only.tif", "the TIFF header and nothing else", cut(good_tif, 0.02),
        loaded(1, 0, 1, "header_only.tif: cannot be read as a GeoTIFF"))
    add(o, "truncated.tif", "pixel data cut off", cut(good_tif, 0.6),
        loaded(1, 0, 1, "truncated.tif: cannot be read as a GeoTIFF"))
    add(o, "garbage.tif", "binary garbage with a .tif name", garbage, loaded(1, 0, 1, "garbage.tif: cannot be read"))
    add(o, "html_error.tif", "an HTML error page saved as .tif", lambda: HTML_PAGE,
        loaded(1, 0, 1, "html_error.tif: cannot be read"))
    add(o, "zip_named.tif", "a ZIP archive named .tif", lambda: zipped("tile.tif", tiff()),
        loaded(1, 0, 1, "zip_named.tif: cannot be read"))
    add(o, "no_crs.tif", "a tile without CRS", lambda: tiff(epsg=None), loaded(1, 0, 1, "no_crs.tif: has no CRS"))
    add(o, "other_crs.tif", "a tile in EPSG:3857", lambda: tiff(epsg=3857, origin=(2_290_000.0, 6_600_000.0)),
        loaded(1, 0, 1, "CRS EPSG:3857 is not accepted for orthophotos"))
    add(o, "two_bands.tif", "2 bands without colour interpretation", lambda: tiff(count=2, descriptions=False),
        loaded(1, 0, 1, "band 1 has colour interpretation 'gray'"))
    add(o, "rgb3_in_4band.tif", "a 3-band tile inside a 4-band delivery (with good.tif)", lambda: tiff(count=3),
        loaded(3, 2, 1, "rgb3_in_4band.tif: has 3 bands (uint8) but the delivery has 4 bands"),
        companions=["good.tif", "good_2.tif"])
    add(o, "float32.tif", "float32 pixels", lambda: tiff(dtype="float32"),
        loaded(1, 0, 1, "data type float32 is not an image type"))
    add(o, "non_square.tif", "non-square pixels 0.25 × 0.5 m", lambda: tiff(res=(0.25, 0.5)),
        loaded(1, 0, 1, "non-square pixels 0.25×0.5 m"))
    add(o, "outside_city.tif", "a tile at E 250 000, N 600 000", lambda: tiff(origin=(250_000.0, 600_000.0)),
        loaded(1, 0, 1, "outside_city.tif: outside the city"))
    add(o, "swapped.tif", "a tile with easting and northing swapped", lambda: tiff(origin=(N0, E0)),
        loaded(1, 0, 1, "fits with the axes swapped"))

    # lidar ---------------------------------------------------------------------------------
    ld = "lidar"
    add(ld, "good.laz", "control: 400 points, EPSG:2180", lambda: las(), loaded(400, 400, 0))
    add(ld, "empty.laz", "empty file (0 bytes)", lambda: b"", refused("empty.laz is empty (0 bytes)"))
    add(ld, "header_only.las", "a valid header with 0 points", las_header_only, refused("header_only.las holds no points"))
    add(ld, "truncated.laz", "cut in the middle of the LAZ chunk", cut(lambda: las(), 0.6),
        refused("truncated.laz is truncated: the header says its point data starts at byte"))
    add(ld, "truncated_chunk.laz", "LAS 1.2 LAZ (CRS in the header) cut in the middle of the point chunk",
        cut(lambda: las(version="1.2", point_format=3), 0.8),
        refused("truncated_chunk.laz is truncated or damaged: decoded 0 of the 400 points"))
    add(ld, "garbage.laz", "binary garbage with a .laz name", garbage, refused("garbage.laz is not a readable LAS/LAZ file"))
    add(ld, "gzip_named.laz", "a gzip file named .laz", lambda: gzipped(las()), refused("gzip_named.laz is not a readable LAS/LAZ file"))
    add(ld, "no_crs.las", "LAS 1.2 without any CRS", lambda: las(epsg=None, compress=False, version="1.2",
                                                                 point_format=3),
        refused("no_crs.las has no usable CRS: it has no CRS records"))
    add(ld, "other_crs.laz", "a LAS in EPSG:32634 (UTM 34N, not accepted)",
        lambda: las(epsg=32634, transform_to=32634),
        loaded(400, 400, 0, notes=("other_crs.laz: transformed from EPSG:32634 (WKT VLR) to EPSG:2180",)))
    add(ld, "absurd_z.laz", "Z = 9999 m at 3 points and -9999 m at 1",
        lambda: las(z_override={0: 9999.0, 10: 9999.0, 20: 9999.0, 30: -9999.0}), loaded(400, 396, 4, "absurd_z.laz row 1: 4 points with Z outside the plausible range -50 to 2700 m"))
    add(ld, "outside_city.laz", "points in Gdańsk (EPSG:2180)", lambda: las(origin=(475_000.0, 725_000.0)),
        refused("outside_city.laz: its points (E 475000–475020, N 725000–725020"))
    add(ld, "mixed_crs.laz", "an EPSG:2178 file loaded with an EPSG:2180 one (good.laz)",
        lambda: las(epsg=2178, transform_to=2178, origin=(E0 + 20, N0)),
        loaded(800, 800, 0, notes=("mixed_crs.laz: CRS EPSG:2178 (WKT VLR) differs from the other files",)),
        companions=["good.laz"])

    # advertising rules ---------------------------------------------------------------------
    r = "ad_rules"
    add(r, "good.yaml", "control: two zones, three carrier types", rules(), loaded(7, 7, 0))
    add(r, "empty.yaml", "empty file (0 bytes)", lambda: b"", refused("empty.yaml is empty (0 bytes)"))
    add(r, "header_only.yaml", "comments only", lambda: b"# zasady reklamowe\n# (brak)\n",
        refused("header_only.yaml: the rules file is empty"))
    add(r, "truncated.yaml", "cut in the middle of zone B", cut(rules(), 0.8), refused("truncated.yaml: not valid YAML at line"))
    add(r, "cp1250.yaml", "CP1250 bytes (YAML must be UTF-8)", rules(encoding="cp1250"),
        refused("cp1250.yaml: cannot read the rules file"))
    add(r, "non_numeric.yaml", "max_face_area_m2 'dwanaście'", rules("max_face_area_m2: 12.0", "max_face_area_m2: dwanaście"),
        refused("non_numeric.yaml: zones.B.carriers.wolnostojący.max_face_area_m2='dwanaście' is not a number"))
    add(r, "decimal_comma.yaml", "max_face_area_m2 '12,5'", rules("max_face_area_m2: 12.0", "max_face_area_m2: '12,5'"),
        loaded(7, 7, 0))
    add(r, "nan.yaml", "max_face_area_m2 .nan", rules("max_face_area_m2: 12.0", "max_face_area_m2: .nan"),
        refused("nan.yaml: zones.B.carriers.wolnostojący.max_face_area_m2 = .nan is not a number"))
    add(r, "infinity.yaml", "max_height_m .inf", rules("max_height_m: 5.0", "max_height_m: .inf"), refused("infinity.yaml: zones.B.carriers.wolnostojący.max_height_m = inf is not a finite number"))
    add(r, "absurd.yaml", "max_height_m 9999", rules("max_height_m: 5.0", "max_height_m: 9999"), refused("absurd.yaml: zones.B.carriers.wolnostojący.max_height_m = 9999 is above the plausible 60"))
    add(r, "negative.yaml", "max_face_area_m2 -4", rules("max_face_area_m2: 12.0", "max_face_area_m2: -4"),
        refused("negative.yaml: zones.B.carriers.wolnostojący.max_face_area_m2 = -4 must be > 0"))
    add(r, "duplicate_zone.yaml", "zone B defined twice (YAML keeps the last silently)",
        rules("  B:\n", "  B:\n    name: Strefa B (stara)\n    carriers: {}\n  B:\n"), refused("key 'B' appears twice"))
    add(r, "unknown_zone.yaml", "zone E", rules("  B:\n", "  E:\n"), refused("unknown_zone.yaml: zones.E: unknown landscape zone code 'E'"))
    add(r, "missing_key.yaml", "no free_standing_types", rules("free_standing_types: [wolnostojący, ekran LED]\n", ""),
        refused("missing_key.yaml: free_standing_types must be a non-empty list"))
    add(r, "wrong_crs.yaml", "crs EPSG:4326", rules("crs: EPSG:2180", "crs: EPSG:4326"),
        refused("wrong_crs.yaml: crs = 'EPSG:4326'"))
    add(r, "html_error.yaml", "an HTML error page saved as .yaml", lambda: HTML_PAGE,
        refused("html_error.yaml is an HTML page"))
    add(r, "garbage.yaml", "binary garbage with a .yaml name", garbage, refused("garbage.yaml: cannot read the rules file"))
    add(r, "zip_named.yaml", "a ZIP archive named .yaml", lambda: zipped("zasady.yaml", rules()()),
        refused("zip_named.yaml is a ZIP archive"))
    return c


def write_corpus(out: Path) -> list[Case]:
    """Write every case and EXPECTED.yaml under `out` (replacing what was there)."""
    import yaml

    all_cases = cases()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    expected: dict[str, dict] = {}
    for case in all_cases:
        path = out / case.loader / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.make() if case.make else b"")
        entry = {"loader": case.loader, "what": case.what, **case.expect}
        if case.args:
            entry["args"] = case.args
        if case.companions:
            entry["with"] = case.companions
        expected[f"{case.loader}/{case.name}"] = entry
    header = ("# The bad-input corpus: per file, the loader and the exact expected outcome.\n"
              "# Written by scripts/make_bad_corpus.py (edit the script, not this file); "
              "asserted by tests/system/test_bad_corpus.py.\n")
    (out / "EXPECTED.yaml").write_text(
        header + yaml.safe_dump(expected, allow_unicode=True, sort_keys=True, width=120), encoding="utf-8")
    (out / "README.md").write_text(readme(all_cases), encoding="utf-8")
    return all_cases


def readme(all_cases: list[Case]) -> str:
    """The folder's README: what the corpus is, how to regenerate it, and one line per file."""
    rows = []
    for case in all_cases:
        e = case.expect
        if e["outcome"] == "refused":
            outcome = f"refused (exit {e['exit_code']}): “{e['message']}”"
        else:
            outcome = f"{e['rows_in']} in = {e['rows_loaded']} loaded + {e['rows_rejected']} rejected"
            outcome += " (exit 1: nothing loaded)" if e["exit_code"] else ""
        extra = f" (with {', '.join(case.companions)})" if case.companions else ""
        extra += f" `{' '.join(case.args)}`" if case.args else ""
        rows.append(f"| `{case.loader}/{case.name}`{extra} | {case.what} | {outcome} |")
    return "\n".join([
        "# Bad-input corpus",
        "",
        "Malformed files for every loader, each with its exact expected outcome in `EXPECTED.yaml`",
        "(asserted by `tests/system/test_bad_corpus.py` through `msip load …` on an empty database).",
        "Generated, never edited by hand: change `scripts/make_bad_corpus.py` and run",
        "`.venv/bin/python scripts/make_bad_corpus.py`; the output is byte-for-byte deterministic and a",
        "test checks that the committed files match it. Everything here is synthetic (written by MSIP,",
        "CC0); coordinates lie in the sample district of Kielce (EPSG:2180) unless the case says otherwise.",
        "",
        "| file | what is wrong | expected |",
        "|---|---|---|",
        *rows,
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="corpus folder [tests/data/bad]")
    args = parser.parse_args(argv)
    written = write_corpus(args.out)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"{len(written)} files in {args.out} ({size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
