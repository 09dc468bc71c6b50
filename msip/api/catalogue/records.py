"""Catalogue records as OGC API – Records GeoJSON, and the search over them (q, bbox, datetime).

A record carries Polish and English title and abstract, keywords and INSPIRE theme, licence,
publisher and contact, the data's extents, update date, lineage (runs: source file name,
checksum, date, counts) and links to the API collection, the downloads and the ISO metadata.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from msip.api.catalogue.datasets import Dataset
from msip.api.catalogue.themes import INSPIRE_THEMES_URI, THEME_LABELS, Publisher, theme_uri
from msip.api.downloads.formats import download_url, formats_for
from msip.api.zoning import plan_links

ISO_MEDIA_TYPE = "application/vnd.iso.19139+xml"
RECORD_CORE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"


def metadata_url(base_url: str, dataset_id: str) -> str:
    """The stable URL of a dataset's ISO 19139 record."""
    return f"{base_url.rstrip('/')}/metadata/{dataset_id}.xml"


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def links(ds: Dataset, base_url: str, pub: Publisher) -> list[dict[str, Any]]:
    """The record's links: API collection, downloads (`enclosure`), ISO metadata, licence."""
    base = base_url.rstrip("/")
    out: list[dict[str, Any]] = [
        {"rel": "describedby", "type": ISO_MEDIA_TYPE, "title": "ISO 19139 / INSPIRE metadata",
         "href": metadata_url(base, ds.id)},
        {"rel": "license", "type": "text/html", "title": pub.licence_name, "href": pub.licence_url},
    ]
    if ds.collection:
        href = f"{base}/collections/{ds.collection}"
        if ds.epoch is not None and ds.kind == "orthophoto-epoch":
            href += f"/coverage?datetime={ds.epoch}"
        elif ds.epoch is not None and ds.kind == "point-cloud-epoch":
            href += f"/items/{ds.epoch}"
        out.append({"rel": "item" if ds.kind.endswith("epoch") else "collection", "type": "application/json",
                    "title": "OGC API", "href": href})
    if ds.kind == "zoning-plan" and ds.item_id:  # its APP GML 2.0 dataset and drawing (art. 67a u.p.z.p.)
        out += [{**link, "rel": "enclosure" if link["rel"] == "alternate" else link["rel"]}
                for link in plan_links(base, ds.item_id)]
    if ds.kind in ("features", "coverage"):
        out += [{"rel": "enclosure", "type": f.media_type, "title": f.title,
                 "href": download_url(base, ds.id, f.ext)} for f in formats_for(ds.kind)]
    out += [{"rel": "enclosure", "type": f.media_type, "title": f.title, "href": f"{base}/{path}"}
            for path, f in ds.files]
    out += [{"rel": "enclosure", "type": f.media_type, "title": f"{f.title}: {PurePath(path).stem} ({points} points)",
             "href": f"{base}/{path}"} for path, f, points in ds.parts]
    return out


def to_record(ds: Dataset, base_url: str, pub: Publisher) -> dict[str, Any]:
    """The OGC API – Records GeoJSON record of a dataset."""
    geometry = None
    if ds.bbox:
        x1, y1, x2, y2 = ds.bbox
        geometry = {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}
    themes = []
    if ds.theme:
        pl, en = THEME_LABELS[ds.theme]
        themes.append({"scheme": INSPIRE_THEMES_URI,
                       "concepts": [{"id": ds.theme, "title": en, "title_pl": pl, "url": theme_uri(ds.theme)}]})
    props: dict[str, Any] = {
        "type": "dataset",
        "title": ds.title["pl"],
        "title_en": ds.title["en"],
        "description": ds.abstract["pl"],
        "description_en": ds.abstract["en"],
        "keywords": ds.keywords + ([THEME_LABELS[ds.theme][0], THEME_LABELS[ds.theme][1]] if ds.theme else []),
        "themes": themes,
        "topic_category": ds.topic,
        "language": {"code": "pl"},
        "languages": [{"code": "pl"}, {"code": "en"}],
        "license": pub.licence_name,
        "rights": f"{pub.licence_name}: {pub.licence_url}",
        "updated": _iso(ds.updated),
        "contacts": [{"organization": pub.name, "name": pub.contact_name, "roles": ["publisher", "pointOfContact"],
                      "emails": [{"value": pub.email}], "links": [{"href": pub.url, "type": "text/html"}]}],
        "dataset_kind": ds.kind,
        "feature_count": ds.count,
        "resolution_m": ds.resolution_m,
        "lineage": [{**r, "epoch": str(r["epoch"]) if r.get("epoch") else None,
                     "finished_at": _iso(r.get("finished_at"))} for r in ds.lineage],
    }
    return {
        "id": ds.id,
        "type": "Feature",
        "conformsTo": [RECORD_CORE],
        "geometry": geometry,
        "time": {"interval": [_iso(ds.begin) or "..", _iso(ds.end) or ".."]} if ds.begin or ds.end else None,
        "properties": props,
        "links": links(ds, base_url, pub),
    }


def _fold(text: str) -> str:
    """Lower case without diacritics (ł → l too), so `zielen` finds `zieleń`."""
    text = text.casefold().replace("ł", "l")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def matches_q(ds: Dataset, q: str) -> bool:
    """True when any comma-separated alternative of `q` has all its words in the dataset's texts."""
    hay = _fold(" ".join([ds.id, *ds.title.values(), *ds.abstract.values(), *ds.keywords,
                          *(THEME_LABELS[ds.theme] if ds.theme else ())]))
    alternatives = [a.split() for a in _fold(q).split(",") if a.strip()]
    return not alternatives or any(all(w in hay for w in words) for words in alternatives)


def matches_bbox(ds: Dataset, bbox: list[float]) -> bool:
    """True when the dataset's lon/lat extent intersects `bbox` (minx, miny, maxx, maxy)."""
    if not ds.bbox:
        return False
    x1, y1, x2, y2 = bbox[0], bbox[1], bbox[-2], bbox[-1]
    return not (ds.bbox[2] < x1 or ds.bbox[0] > x2 or ds.bbox[3] < y1 or ds.bbox[1] > y2)


def _parse(value: str, end: bool) -> datetime | None:
    if value in ("", ".."):
        return None
    if len(value) == 10:
        value += "T23:59:59.999999+00:00" if end else "T00:00:00+00:00"
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def matches_datetime(ds: Dataset, interval: str) -> bool:
    """True when the dataset's time span meets the instant or interval (`a/b`, open ends `..`)."""
    if ds.begin is None and ds.end is None:
        return False
    start, _, stop = interval.partition("/") if "/" in interval else (interval, "", interval)
    lo, hi = _parse(start, False), _parse(stop, True)
    begin, end = ds.begin or ds.end, ds.end or ds.begin
    assert begin is not None and end is not None
    return (hi is None or begin <= hi) and (lo is None or end >= lo)
