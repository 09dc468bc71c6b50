"""Offline XSD validation of APP GML: the official APP schema with local stand-ins for its OGC/ISO imports.

The APP XSDs import GML 3.2.1, ISO 19139 gmd/gmx, GML 3.3 exr (and WFS 2.0) from
schemas.opengis.net; no PyPI package ships those, and MSIP runs without internet. The
imports are therefore mapped to minimal stand-ins in `pipelines/zoning/xsd_stubs/` (see their
headers): the APP elements are validated fully, GML as far as the stand-in declares it.
`SchemaReport.validated` / `.not_validated` say which is which; the CLI prints both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from lxml import etree

from msip.core.errors import ConfigError, SourceReadError
from pipelines.zoning.app_gml import APP_NAMESPACES

STUB_DIR = Path(__file__).resolve().parent / "xsd_stubs"
#: Remote schema locations used by the APP XSDs → local stand-in file.
REMOTE_STUBS = {
    "http://schemas.opengis.net/gml/3.2.1/gml.xsd": "gml-3.2.1.xsd",
    "http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd": "gmd.xsd",
    "http://schemas.opengis.net/iso/19139/20070417/gmx/gmx.xsd": "gmx.xsd",
    "http://schemas.opengis.net/gml/3.3/extdEncRule.xsd": "gml-3.3-exr.xsd",
    "http://schemas.opengis.net/wfs/2.0/wfs.xsd": "wfs-2.0.xsd",
}
VALIDATED = (
    "APP elements against the official XSD (element order, required and repeated properties, "
    "value types: dates, numbers, booleans, URIs, code-list xlink attributes); gml:id on every "
    "GML object; feature, reference and measure (uom) types; surface structure (Polygon, "
    "Surface/PolygonPatch, MultiSurface, LinearRing with ≥ 4 pos or a numeric posList); the "
    "wfs:FeatureCollection envelope"
)
NOT_VALIDATED = (
    "the rest of GML 3.2.1 (other geometry types are reported as unexpected; srsName values "
    "are only checked to be URIs, the loader checks them), ISO 19139 content of "
    "DokumentFormalny.data (gmd:CI_Date accepted as is), WFS 2.0 beyond FeatureCollection, "
    "code-list values themselves; these need the OGC schemas from schemas.opengis.net"
)


@dataclass
class SchemaReport:
    """The outcome of validating one file: errors (with line numbers) and what was checked."""

    path: Path
    xsd: Path
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    validated: str = VALIDATED
    not_validated: str = NOT_VALIDATED

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        head = (
            f"{self.path.name}: valid against {self.xsd.name} (offline)"
            if self.ok
            else f"{self.path.name}: {self.error_count} schema errors against {self.xsd.name} (offline)"
        )
        lines = [head, *(f"  {e}" for e in self.errors[:10])]
        lines += [f"  validated: {self.validated}", f"  not validated: {self.not_validated}"]
        return "\n".join(lines)


def default_schema_dir() -> Path | None:
    """Where the APP XSDs are: $MSIP_APP_SCHEMA_DIR, else ../shared/data/zoning beside the repo."""
    env = os.environ.get("MSIP_APP_SCHEMA_DIR")
    if env:
        return Path(env)
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "zoning"
    return shared if shared.is_dir() else None


def find_app_xsd(namespace: str, schema_dir: Path | None) -> Path:
    """The .xsd under `schema_dir` whose targetNamespace is `namespace`; ConfigError if none."""
    if schema_dir is None or not Path(schema_dir).is_dir():
        raise ConfigError(
            f"no folder with the APP XSDs ({schema_dir}); pass --schema-dir or set MSIP_APP_SCHEMA_DIR "
            "to a folder holding planowaniePrzestrzenne*.xsd (download them from gov.pl)"
        )
    for xsd in sorted(Path(schema_dir).rglob("*.xsd")):
        try:
            for _, elem in etree.iterparse(str(xsd), events=("start",), no_network=True):
                if elem.get("targetNamespace") == namespace:
                    return xsd
                break
        except etree.XMLSyntaxError:
            continue
    raise ConfigError(
        f"no XSD with targetNamespace {namespace!r} in {schema_dir}; add the APP schema of that version"
    )


def _map_uri(uri: str) -> str:
    name = REMOTE_STUBS.get(uri)
    return str(STUB_DIR / name) if name else uri


@lru_cache(maxsize=4)
def _schema(xsd: Path):
    import xmlschema

    return xmlschema.XMLSchema(
        [str(xsd), str(STUB_DIR / "wfs-2.0.xsd")],
        uri_mapper=_map_uri,
        allow="local",
        defuse="always",
    )


def validate_app_gml(
    path: Path | str, *, schema_dir: Path | None = None, max_errors: int = 50
) -> SchemaReport:
    """Validate an APP GML file against its version's XSD (found in `schema_dir`), offline."""
    path = Path(path)
    try:
        tree = etree.parse(
            str(path), etree.XMLParser(huge_tree=True, no_network=True, resolve_entities=False)
        )
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SourceReadError(
            f"{path.name}: cannot be validated, it is not well-formed XML: {exc}"
        ) from None
    used = set(tree.getroot().nsmap.values()) | {
        etree.QName(e).namespace
        for e in tree.getroot().iter("{*}*")
        if etree.QName(e).namespace in APP_NAMESPACES
    }
    app = [ns for ns in APP_NAMESPACES if ns in used]
    if not app:
        raise SourceReadError(
            f"{path.name}: uses no APP namespace ({', '.join(APP_NAMESPACES)}); nothing to validate"
        )
    xsd = find_app_xsd(app[0], schema_dir if schema_dir is not None else default_schema_dir())
    report = SchemaReport(path, xsd)
    for error in _schema(xsd).iter_errors(tree):
        report.error_count += 1
        if len(report.errors) < max_errors:
            line = getattr(error, "sourceline", None)
            elem = getattr(error, "elem", None)
            text = (elem.text or "").strip() if elem is not None and len(elem) == 0 else ""
            value = f", value {text[:40]!r}" if text else ""
            report.errors.append(f"line {line}: {error.reason} (at {error.path}{value})")
    return report
