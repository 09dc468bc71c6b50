"""Targeted fixes to pygeoapi 0.21.0 functions that MSIP's providers cannot work around.

pygeoapi's items handler transforms `bbox` and filter geometries to the storage CRS with
pyproj's authority axis order on both sides, so a lon/lat bbox becomes northing/easting and
matches nothing on EPSG:2180 data (pygeoapi issues #2010, #2102, #2190). The replacements
hand the client's values and CRS to MSIP's providers, which transform in SQL; `f=csv` uses
MSIP's formatter (`msip.api.csv_items`); a provider's `languages` are matched against the request's
`Accept-Language` (pygeoapi handed it the raw header, which matched nothing). Applied once,
by `msip.api.app.create_app`.
"""

from __future__ import annotations

_applied = False


def _keep_filter_crs(ast_tree, *, filter_crs_uri, storage_crs_uri=None, geometry_column_name=None):
    from msip.api.providers.feature_types import FilterWithCrs

    return FilterWithCrs(ast_tree, filter_crs_uri)


def _parse_filter(text: str):
    from msip.api.providers.cql import parse_filter

    return parse_filter(text)


def _to_json(dict_, pretty: bool = False) -> str:
    """pygeoapi's to_json, splicing a page of features PostGIS serialised (RawFeatures) into the output."""
    from pygeoapi.util import to_json

    from msip.api.providers.feature_types import RawFeatures

    feats = dict_.get("features") if isinstance(dict_, dict) else None
    if not isinstance(feats, RawFeatures):
        return to_json(dict_, pretty)
    if pretty or feats._parsed:
        feats.parse()
        return to_json(dict_, pretty)
    head = to_json({**dict_, "features": None})
    # The key can only occur once unescaped: inside string values its quotes are escaped.
    return head.replace('"features":null', '"features":' + feats.raw, 1)


_specs: dict[tuple, object] = {}


def _cached_crs_spec(original):
    """pygeoapi's create_crs_transform_spec, memoised: it builds pyproj CRSs and WKT on every request."""

    def create_crs_transform_spec(config: dict, query_crs_uri: str | None = None):
        key = (config.get("storage_crs"), tuple(config.get("crs", ())), query_crs_uri)
        if key not in _specs:
            _specs[key] = original(config, query_crs_uri)  # raises for unsupported CRSs: not cached
        return _specs[key]

    return create_crs_transform_spec


def _plugin_locale_from_header(original):
    """pygeoapi's get_plugin_locale, given the raw `Accept-Language` or `lang` as a list of tags by quality:
    pygeoapi passes the raw string, which its best_match ignores, so every provider got its first language."""
    from pygeoapi.util import get_choice_from_headers

    def get_plugin_locale(config: dict, requested_locale):
        if isinstance(requested_locale, str) and requested_locale:
            requested_locale = get_choice_from_headers({"l": requested_locale}, "l", all=True) or None
        return original(config, requested_locale)

    return get_plugin_locale


def apply() -> None:
    """Install the fixes (idempotent)."""
    global _applied
    if _applied:
        return
    from pygeoapi import l10n
    from pygeoapi.api import itemtypes
    from pygeoapi.plugin import PLUGINS

    from msip.api.crs import transform_bbox

    itemtypes.transform_bbox = transform_bbox
    itemtypes.modify_pygeofilter = _keep_filter_crs
    itemtypes.parse_ecql_text = _parse_filter
    itemtypes.to_json = _to_json
    itemtypes.create_crs_transform_spec = _cached_crs_spec(itemtypes.create_crs_transform_spec)
    l10n.get_plugin_locale = _plugin_locale_from_header(l10n.get_plugin_locale)
    PLUGINS["formatter"]["CSV"] = "msip.api.csv_items.CsvFormatter"  # id, WKT, named axes
    _applied = True
