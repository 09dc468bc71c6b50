"""APP features → rows of msip.zoning_plan / zoning_zone / zoning_document, with the value checks.

Each builder returns the column values of one feature or raises RowError naming the APP
property, the value and what is expected; the loader quarantines that member.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from msip.core.errors import RowError
from pipelines.readers.validate import check_range, parse_number
from pipelines.zoning.app_gml import AppFeature, Measure, Ref, raw_values

#: Plan ogólny zone symbols (rozporządzenie w sprawie planu ogólnego, załącznik 1).
POG_SYMBOLS = ("SW", "SJ", "SZ", "SU", "SH", "SP", "SR", "SI", "SN", "SC", "SG", "SO", "SK")
#: APP indicator → (column, lowest, highest, unit).
INDICATORS = {
    "maksNadziemnaIntensywnoscZabudowy": ("max_above_ground_intensity", 0.0, 50.0, "ratio"),
    "maksUdzialPowierzchniZabudowy": ("max_building_coverage_pct", 0.0, 100.0, "%"),
    "maksWysokoscZabudowy": ("max_height_m", 0.0, 500.0, "m"),
    "minUdzialPowierzchniBiologicznieCzynnej": ("min_biologically_active_pct", 0.0, 100.0, "%"),
}
PLAN_COLUMNS = [
    "iip_namespace",
    "local_id",
    "version_id",
    "gml_id",
    "teryt",
    "title",
    "plan_type",
    "plan_type_label",
    "hierarchy_level",
    "status",
    "status_label",
    "valid_from",
    "valid_to",
    "version_start",
    "app_namespace",
    "source_epsg",
    "attributes",
]
ZONE_COLUMNS = [
    "iip_namespace",
    "local_id",
    "version_id",
    "gml_id",
    "zone_kind",
    "plan_namespace",
    "plan_local_id",
    "designation",
    "symbol",
    "name_code",
    "name_label",
    "profile_basic",
    "profile_additional",
    *(c for c, *_ in INDICATORS.values()),
    "status",
    "legal_nature",
    "valid_from",
    "valid_to",
    "source_epsg",
    "attributes",
]
DOC_COLUMNS = [
    "document_kind",
    "iip_namespace",
    "local_id",
    "version_id",
    "gml_id",
    "title",
    "issued_on",
    "link",
    "plan_refs",
    "attributes",
]
KEYS = ("iip_namespace", "local_id", "version_id")
_USED = {
    "idIIP",
    "tytul",
    "typPlanu",
    "poziomHierarchii",
    "status",
    "obowiazujeOd",
    "obowiazujeDo",
    "poczatekWersjiObiektu",
    "oznaczenie",
    "symbol",
    "nazwa",
    "profilPodstawowy",
    "profilDodatkowy",
    "charakterUstalenia",
    "plan",
    "data",
    "lacze",
    *INDICATORS,
}


def feature_key(f: AppFeature) -> tuple[str, str, str]:
    iip = f.iip
    if not iip.get("przestrzenNazw") or not iip.get("lokalnyId"):
        raise RowError(
            "missing idIIP przestrzenNazw/lokalnyId; APP requires an idIIP on every object", "idIIP"
        )
    return iip["przestrzenNazw"], iip["lokalnyId"], iip.get("wersjaId") or ""


def _common(f: AppFeature) -> dict:
    ns, local, version = feature_key(f)
    return {
        "iip_namespace": ns,
        "local_id": local,
        "version_id": version,
        "gml_id": f.gml_id,
        "attributes": _attributes(f),
    }


def _plan(f: AppFeature) -> dict:
    title = f.text("tytul")
    if not title:
        raise RowError("tytul is empty; an act needs its official title", "tytul")
    typ, level, status = f.ref("typPlanu"), f.ref("poziomHierarchii"), f.ref("status")
    teryt = re.search(r"/(\d{6,7})-", f.iip.get("przestrzenNazw", ""))
    return {
        **_common(f),
        "teryt": teryt.group(1) if teryt else None,
        "title": title,
        "plan_type": typ.code if typ else None,
        "plan_type_label": typ.title if typ else None,
        "hierarchy_level": level.code if level else None,
        "status": status.code if status else None,
        "status_label": status.title if status else None,
        "valid_from": _date(f, "obowiazujeOd"),
        "valid_to": _date(f, "obowiazujeDo"),
        "version_start": _datetime(f, "poczatekWersjiObiektu"),
        "app_namespace": f.namespace,
        "source_epsg": f.source_epsg,
    }


def _zone(f: AppFeature) -> dict:
    symbol = f.text("symbol")
    if symbol not in POG_SYMBOLS:
        raise RowError(
            f"symbol={symbol!r} is not a plan-ogólny zone symbol ({', '.join(POG_SYMBOLS)})",
            "symbol",
        )
    values = {
        **_common(f),
        "zone_kind": "strefa",
        "designation": f.text("oznaczenie"),
        "symbol": symbol,
    }
    values.update(plan_reference(f))
    name = f.ref("nazwa")
    status, nature = f.ref("status"), f.ref("charakterUstalenia")
    values.update(
        {
            "name_code": name.code if name else None,
            "name_label": name.title if name else None,
            "profile_basic": [_profile_code(r) for r in f.refs("profilPodstawowy")],
            "profile_additional": [_profile_code(r) for r in f.refs("profilDodatkowy")],
            "status": status.code if status else None,
            "legal_nature": nature.code if nature else None,
            "valid_from": _date(f, "obowiazujeOd"),
            "valid_to": _date(f, "obowiazujeDo"),
            "source_epsg": f.source_epsg,
        }
    )
    for prop, (column, lo, hi, unit) in INDICATORS.items():
        values[column] = indicator(f.first(prop), prop, lo, hi, unit)
    return values


def _document(f: AppFeature) -> dict:
    title = f.text("tytul")
    if not title:
        raise RowError("tytul is empty; a document needs its title", "tytul")
    drawing = f.feature_type == "RysunekAktuPlanowaniaPrzestrzennego"
    if drawing:
        refs, issued = f.refs("plan"), _date(f, "obowiazujeOd")
    else:
        refs = [
            r
            for p in ("uchwala", "zmienia", "uchyla", "przystapienie", "uniewaznia")
            for r in f.refs(p)
        ]
        data = f.first("data")
        issued = _parse_date(data.get("date") if isinstance(data, dict) else data, "data")
    link = f.first("lacze")
    return {
        **_common(f),
        "document_kind": "rysunek" if drawing else "dokument",
        "title": title,
        "issued_on": issued,
        "link": link if isinstance(link, str) else None,
        "plan_refs": [r.href for r in refs if r.href],
    }


BUILDERS: dict[str, tuple[str, Callable[[AppFeature], dict]]] = {
    "AktPlanowaniaPrzestrzennego": ("plan", _plan),
    "StrefaPlanistyczna": ("zone", _zone),
    "DokumentFormalny": ("document", _document),
    "RysunekAktuPlanowaniaPrzestrzennego": ("document", _document),
}


def plan_reference(f: AppFeature) -> dict:
    """plan_namespace/plan_local_id from app:plan's href, else from the zone's own idIIP."""
    ref = f.ref("plan")
    if ref and "/AktPlanowaniaPrzestrzennego/" in ref.href:
        parts = ref.href.split("/AktPlanowaniaPrzestrzennego/", 1)[1].strip("/").split("/")
        if len(parts) >= 3:
            return {"plan_namespace": f"{parts[0]}/{parts[1]}", "plan_local_id": parts[2]}
    local = f.iip.get("lokalnyId", "")
    if "-" in local:
        return {
            "plan_namespace": f.iip.get("przestrzenNazw"),
            "plan_local_id": local.split("-", 1)[0],
            "_plan_inferred": 1,
        }
    return {"plan_namespace": None, "plan_local_id": None}


def _profile_code(ref: Ref) -> str:
    """'…/KPT#KPT-MPZP-MN' → 'MN' (land-use class of the KPT ontology)."""
    return re.sub(r"^KPT-(MPZP|POG)-", "", ref.code) or ref.title or ""


def indicator(value: object, prop: str, lo: float, hi: float, unit: str) -> float | None:
    """An indicator as a number in range; RowError naming the property and value otherwise."""
    if isinstance(value, Measure):
        if unit == "m" and value.uom not in ("m", "metre", "urn:ogc:def:uom:EPSG::9001"):
            raise RowError(f'{prop} uom={value.uom!r} is not metres (write uom="m")', prop)
        value = value.value
    try:
        number = parse_number(
            value if isinstance(value, (str, int, float)) else None, field=prop, unit=unit
        )
        check_range(number, lo, hi, field=prop, unit=unit)
    except ValueError as exc:
        raise RowError(str(exc), prop) from None
    return number


def _date(f: AppFeature, prop: str) -> date | None:
    return _parse_date(f.text(prop), prop)


def _parse_date(text: object, prop: str) -> date | None:
    if not text or not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise RowError(f"{prop}={text!r} is not a date (expected YYYY-MM-DD)", prop) from None


def _datetime(f: AppFeature, prop: str) -> datetime | None:
    text = f.text(prop)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise RowError(
            f"{prop}={text!r} is not a date-time (expected e.g. 2024-04-11T00:00:00Z)", prop
        ) from None


def _attributes(f: AppFeature) -> dict:
    """Properties not mapped to columns, kept as read."""
    raw = raw_values(f)
    return {k: v for k, v in raw.items() if k not in _USED and k not in ("type", "gml_id")}
