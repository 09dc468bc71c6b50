"""Writes the base-layer fixtures of this folder (run once; the outputs are committed).

Everything lies in the sample district of Kielce (E 614000–614400, N 334600–335000, EPSG:2180);
buildings are written in WGS84 lon/lat (RFC 7946 GeoJSON), streets and parks in EPSG:2180.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyproj import Transformer

HERE = Path(__file__).resolve().parent
TO_LONLAT = Transformer.from_crs(2180, 4326, always_xy=True)
CRS_2180 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2180"}}


def rect(e: float, n: float, w: float, h: float) -> list[tuple[float, float]]:
    return [(e, n), (e + w, n), (e + w, n + h), (e, n + h), (e, n)]


def lonlat(points: list[tuple[float, float]]) -> list[list[float]]:
    return [[round(c, 8) for c in TO_LONLAT.transform(e, n)] for e, n in points]


def polygon(points: list[tuple[float, float]], wgs84: bool) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [lonlat(points) if wgs84 else [list(p) for p in points]],
    }


def feature(props: dict, geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write(name: str, features: list[dict], crs: dict | None = None) -> None:
    doc = {"type": "FeatureCollection", **({"crs": crs} if crs else {}), "features": features}
    (HERE / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def b(
    bid: str,
    kind: str,
    residential: object,
    storeys: object,
    height: object,
    population: object,
    points: list[tuple[float, float]] | None,
) -> dict:
    props = {
        "building_id": bid,
        "kind": kind,
        "residential": residential,
        "storeys": storeys,
        "height_m": height,
        "population": population,
    }
    return feature(props, polygon(points, True) if points else None)


def main() -> None:
    bowtie = [
        (614300, 334700),
        (614320, 334720),
        (614320, 334700),
        (614300, 334720),
        (614300, 334700),
    ]
    write(
        "buildings.geojson",
        [
            b(
                "B1", "residential", True, 2, 6.5, 4, rect(614010, 334610, 10, 10)
            ),  # population given
            b(
                "B2", "residential", "tak", 5, 16.0, None, rect(614050, 334610, 40, 12)
            ),  # 480 m² × 5 / 35 → 68
            b(
                "B3", "retail", "nie", 1, 4.5, None, rect(614110, 334610, 20, 15)
            ),  # non-residential → 0
            b(
                "B4", "residential", None, None, 9.2, None, rect(614150, 334610, 10, 10)
            ),  # storeys 3 from height → 8
            b(
                "B5", "residential", True, "trzy", None, None, rect(614010, 334650, 10, 10)
            ),  # storeys not a number
            b("B1", "residential", True, 2, 6.5, 4, rect(614030, 334650, 10, 10)),  # duplicate id
            b("B7", "residential", True, 1, 3.5, None, bowtie),  # self-intersecting
            b("B8", "residential", True, 1, 3.5, None, None),  # no geometry
            b(
                "B9", "residential", True, 1, 3.5, None, rect(639900, 485100, 10, 10)
            ),  # Warsaw: outside Kielce
        ],
    )
    write(
        "buildings_2025-06-15.geojson",
        [
            b("B1", "residential", True, 2, 6.5, 4, rect(614010, 334610, 10, 10)),  # unchanged
            b(
                "B2", "residential", "tak", 6, 19.0, None, rect(614050, 334610, 40, 12)
            ),  # one storey added
            b(
                "B4", "residential", None, None, 9.2, None, rect(614150, 334610, 10, 10)
            ),  # unchanged
            b(
                "B10", "residential", True, 4, 13.0, 30, rect(614200, 334650, 20, 20)
            ),  # new; B3 demolished
        ],
    )
    def line(*pts):
        return {"type": "LineString", "coordinates": [list(p) for p in pts]}

    write(
        "streets.geojson",
        [
            feature(
                {
                    "street_id": "S1",
                    "name": "ul. Testowa",
                    "road_class": "residential",
                    "width_m": 7.0,
                },
                line((614000, 334800), (614400, 334800)),
            ),
            feature(
                {
                    "street_id": "S2",
                    "name": "ul. Poprzeczna",
                    "road_class": "residential",
                    "width_m": "6,5",
                },
                line((614200, 334600), (614200, 335000)),
            ),  # crosses S1 without a vertex
            feature(
                {"street_id": "S3", "name": None, "road_class": "footway", "width_m": 2.0},
                line((614100, 334600), (614100, 334799.98)),
            ),  # ends 2 cm short of S1
            feature(
                {
                    "street_id": "S4",
                    "name": "Autostrada",
                    "road_class": "motorway",
                    "width_m": 20.0,
                },
                line((614000, 334990), (614400, 334990)),
            ),  # closed to pedestrians
            feature(
                {
                    "street_id": "S1",
                    "name": "ul. Testowa",
                    "road_class": "residential",
                    "width_m": 7.0,
                },
                line((614000, 334900), (614100, 334900)),
            ),  # duplicate id
            feature(
                {"street_id": "S6", "name": "Aleja w parku", "road_class": "path", "width_m": None},
                {
                    "type": "MultiLineString",
                    "coordinates": [
                        [[614300, 334900], [614300, 334960]],
                        [[614350, 334950], [614390, 334950]],
                    ],
                },
            ),
            feature(
                {
                    "street_id": "S7",
                    "name": "ul. Szeroka",
                    "road_class": "residential",
                    "width_m": "szeroka",
                },
                line((614000, 334700), (614090, 334700)),
            ),  # width not a number
        ],
        crs=CRS_2180,
    )
    write(
        "parks.geojson",
        [
            feature(
                {"park_id": "P1", "name": "Park Miejski", "kind": "park", "public_access": True},
                polygon(rect(614250, 334850, 100, 100), False),
            ),
            feature(
                {"park_id": "P2", "name": "Skwer Testowy", "kind": "skwer", "public_access": "tak"},
                polygon(rect(614010, 334900, 30, 20), False),
            ),
            feature(
                {"park_id": "P3", "name": "Ogród", "kind": "garden", "public_access": None},
                polygon(rect(614050, 334900, 20, 20), False),
            ),
            feature(
                {
                    "park_id": "P4",
                    "name": "Zieleniec",
                    "kind": "zieleniec",
                    "public_access": "może",
                },
                polygon(rect(614080, 334900, 10, 10), False),
            ),  # not a yes/no value
        ],
        crs=CRS_2180,
    )


if __name__ == "__main__":
    main()
