"""pygeoapi record provider of the catalogue: the datasets of the published configuration as OGC API – Records.

pygeoapi builds providers from their config block alone, so the app registers the configuration
it publishes (`publish(cfg)`), by the database of its catalogue block — several apps in one
process (tests, a fault drill against an unreachable database) each keep their own. The records
are computed from it and the database (read-only) and cached by the data version
(`msip.api.catalogue.datasets`).
"""

from __future__ import annotations

from typing import Any

from pygeoapi.provider.base import BaseProvider, ProviderInvalidQueryError, ProviderItemNotFoundError

from msip.api.catalogue import datasets
from msip.api.catalogue.records import matches_bbox, matches_datetime, matches_q, to_record
from msip.api.catalogue.themes import publisher
from msip.api.providers.db import conninfo_from_def

#: conninfo of a catalogue's database → the configuration published with it
_published: dict[str, dict] = {}


def publish(cfg: dict) -> None:
    """Register the configuration an app serves (its catalogue describes its collections)."""
    for res in cfg.get("resources", {}).values():
        for p in res.get("providers", []):
            if p.get("type") == "record" and isinstance(p.get("data"), dict):
                _published[conninfo_from_def(p["data"])] = cfg


def published(conninfo: str) -> dict:
    """The configuration registered for `conninfo`, else the repository's (prepared and checked)."""
    if conninfo not in _published:
        from msip.api.config import load_config

        return load_config().config
    return _published[conninfo]


FIELDS = {
    "type": {"type": "string", "description": "record type (dataset)"},
    "title": {"type": "string", "description": "title (Polish)"},
    "title_en": {"type": "string", "description": "title (English)"},
    "description": {"type": "string", "description": "abstract (Polish)"},
    "description_en": {"type": "string", "description": "abstract (English)"},
    "keywords": {"type": "string", "description": "keywords and INSPIRE theme (pl, en)"},
    "dataset_kind": {"type": "string", "description": "features, coverage, orthophoto-epoch, lidar-epoch, zoning-plan"},
    "topic_category": {"type": "string", "description": "ISO 19115 topic category"},
    "license": {"type": "string", "description": "licence name"},
    "updated": {"type": "string", "format": "date-time", "description": "when the data last changed"},
}


class CatalogueRecordProvider(BaseProvider):
    """The MSIP catalogue (config: `data` is the database block, like the feature collections')."""

    def __init__(self, provider_def: dict):
        super().__init__(provider_def)
        self.id_field = "id"
        self.conninfo = conninfo_from_def(provider_def["data"])
        self.get_fields()

    def get_fields(self) -> dict:
        fields: dict = dict(FIELDS)
        self._fields = fields
        return fields

    def _records(self) -> list[tuple[datasets.Dataset, dict[str, Any]]]:
        cfg = published(self.conninfo)
        base, pub = str(cfg["server"]["url"]), publisher(cfg)
        return [(d, to_record(d, base, pub)) for d in datasets.build(cfg)]

    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results", bbox: list | None = None,
              datetime_: str | None = None, properties: list | None = None, sortby: list | None = None,
              select_properties: list | None = None, skip_geometry: bool = False, q: str | None = None,
              **kwargs: Any) -> dict:
        found = []
        for ds, rec in self._records():
            if q and not matches_q(ds, q):
                continue
            if bbox and not matches_bbox(ds, [float(v) for v in bbox]):
                continue
            if datetime_ and not matches_datetime(ds, str(datetime_)):
                continue
            if any(str(rec["properties"].get(k)) != str(v) for k, v in properties or []):
                continue
            found.append(rec)
        for s in reversed(sortby or []):
            if s["property"] not in FIELDS:
                raise ProviderInvalidQueryError(user_msg=f"cannot sort by {s['property']}; use one of "
                                                f"{', '.join(FIELDS)}")
            found.sort(key=lambda r: str(r["properties"].get(s["property"]) or ""), reverse=s["order"] == "-")
        page = [] if resulttype == "hits" else found[offset:offset + limit]
        for rec in page:
            if skip_geometry:
                rec["geometry"] = None
            if select_properties:
                rec["properties"] = {k: v for k, v in rec["properties"].items() if k in select_properties}
        return {"type": "FeatureCollection", "features": page, "numberMatched": len(found),
                "numberReturned": len(page)}

    def get(self, identifier: str, **kwargs: Any) -> dict:
        for ds, rec in self._records():
            if ds.id == str(identifier):
                return rec
        raise ProviderItemNotFoundError(user_msg=f"no catalogue record {identifier!r}; list them at "
                                        "/collections/catalogue/items")
