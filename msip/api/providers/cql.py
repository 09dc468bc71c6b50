"""CQL2 filters to SQL: a pygeofilter AST becomes a psycopg `sql.Composed` with bound values.

Only what is listed in CONFORMANCE is translated (basic CQL2, advanced comparison operators,
case-insensitive comparison, basic spatial functions, arithmetic); anything else, and any
unknown property, raises `FilterError`, which the API answers with 400. Identifiers are
checked against the table's columns and quoted with `sql.Identifier`; values are always bound
as parameters, so a hostile filter cannot reach the SQL text.
"""

from __future__ import annotations

import datetime as dt
import json

from psycopg import sql
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle

from msip.api.crs import RequestCrs, UnsupportedCrs, parse_crs_uri, to_xy
from msip.core.errors import MsipError

CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/"
#: Conformance classes the translator really implements (declared on /conformance for QGIS).
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    CQL2 + "basic-cql2",
    CQL2 + "cql2-text",
    CQL2 + "advanced-comparison-operators",
    CQL2 + "case-insensitive-comparison",
    CQL2 + "basic-spatial-functions",
    CQL2 + "basic-spatial-functions-plus",
    CQL2 + "arithmetic",
]


class FilterError(MsipError, ValueError):
    """A filter that cannot be run: unknown property, unsupported operator or bad literal."""


def parse_filter(text: str, lang: str | None = None) -> ast.Node:
    """Parse CQL2 text (ECQL is accepted as a fallback); FilterError with the parser's reason."""
    from pygeofilter.parsers.cql2_text import parse as parse_cql2
    from pygeofilter.parsers.ecql import parse as parse_ecql

    if "\x00" in text:
        raise FilterError("filter contains a NUL character (0x00), which no value can hold; remove it")
    parsers = [parse_cql2] if lang == "cql2-text" else [parse_cql2, parse_ecql]
    first_error = None
    for parser in parsers:
        try:
            return parser(text)
        except Exception as exc:  # noqa: BLE001 - lark raises many error types for bad input
            first_error = first_error or exc
    reason = (
        str(first_error).strip().splitlines()[0]
        if str(first_error).strip()
        else type(first_error).__name__
    )
    raise FilterError(
        f"filter {text[:80]!r} is not valid CQL2 text ({reason[:120]}); "
        "example: species = 'Tilia cordata' AND height_m > 10"
    )


_COMPARE = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mul: "*", ast.Div: "/"}
_SPATIAL = {
    ast.GeometryIntersects: "ST_Intersects",
    ast.GeometryDisjoint: "ST_Disjoint",
    ast.GeometryContains: "ST_Contains",
    ast.GeometryWithin: "ST_Within",
    ast.GeometryTouches: "ST_Touches",
    ast.GeometryCrosses: "ST_Crosses",
    ast.GeometryOverlaps: "ST_Overlaps",
    ast.GeometryEquals: "ST_Equals",
}


class _Geom:
    """A geometry literal: GeoJSON in the filter CRS, turned into EWKB-free SQL on demand."""

    def __init__(self, geojson: dict, crs: RequestCrs):
        self.geojson, self.crs = geojson, crs


class _GeomColumn(sql.Identifier):
    """The geometry column: usable in spatial predicates and IS NULL only."""


def _no_geometry(*operands) -> None:
    if any(isinstance(o, (_GeomColumn, _Geom)) for o in operands):
        raise FilterError(
            "geometries cannot be compared with =, <, LIKE, BETWEEN, IN or arithmetic; "
            "use a spatial predicate, e.g. S_INTERSECTS(geometry, BBOX(20.6, 50.86, 20.63, 50.88))"
        )


class SqlEvaluator(Evaluator):
    """Evaluates a pygeofilter AST to SQL for one table (columns, geometry column, storage SRID)."""

    def __init__(self, columns: set[str], geom: str | None, srid: int, filter_crs: RequestCrs):
        self.columns, self.geom, self.srid, self.filter_crs = columns, geom, srid, filter_crs

    def _value(self, v) -> sql.Composable:
        if isinstance(v, sql.Composable):
            return v
        if isinstance(v, _Geom):
            return self._geometry(v)
        if isinstance(v, (bool, int, float, str, dt.date, dt.datetime)) or v is None:
            return sql.Literal(v)
        raise FilterError(f"value {v!r} cannot be used here")

    def _geometry(self, g: _Geom) -> sql.Composable:
        geojson = _swap(g.geojson) if g.crs.northing_first else g.geojson
        lit = sql.SQL("ST_SetSRID(ST_GeomFromGeoJSON({}), {})").format(
            sql.Literal(json.dumps(geojson)), sql.Literal(g.crs.srid)
        )
        if g.crs.srid == self.srid:
            return lit
        return sql.SQL("ST_Transform({}, {})").format(lit, sql.Literal(self.srid))

    @handle(ast.Attribute)
    def attribute(self, node):
        name = node.name
        if name in ("geometry", self.geom) and self.geom:
            return _GeomColumn(self.geom)
        if name not in self.columns:
            raise FilterError(
                f"unknown property {name!r} in filter; queryable properties: {', '.join(sorted(self.columns))}"
            )
        return sql.Identifier(name)

    @handle(ast.Not)
    def not_(self, node, sub):
        return sql.SQL("(NOT {})").format(sub)

    @handle(ast.And, ast.Or)
    def combination(self, node, lhs, rhs):
        return sql.SQL("({} " + node.op.value + " {})").format(lhs, rhs)

    @handle(*_COMPARE)
    def comparison(self, node, lhs, rhs):
        _no_geometry(lhs, rhs)
        return sql.SQL("({} " + _COMPARE[type(node)] + " {})").format(
            self._value(lhs), self._value(rhs)
        )

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        _no_geometry(lhs, low, high)
        op = "NOT BETWEEN" if node.not_ else "BETWEEN"
        return sql.SQL("({} " + op + " {} AND {})").format(
            self._value(lhs), self._value(low), self._value(high)
        )

    @handle(ast.Like)
    def like(self, node, lhs):
        _no_geometry(lhs)
        raw = node.pattern
        if (
            isinstance(raw, ast.Function)
            and raw.name.lower() in ("casei", "lower")
            and len(raw.arguments) == 1
            and isinstance(raw.arguments[0], str)
        ):
            raw = raw.arguments[0].lower()  # CASEI(name) LIKE CASEI('pattern'): lhs is lowered too
        if not isinstance(raw, str):
            raise FilterError(
                "LIKE needs a text pattern on its right, e.g. species LIKE 'Tilia%' "
                "or CASEI(species) LIKE CASEI('tilia%')"
            )
        pattern = _like_pattern(raw, node.wildcard, node.singlechar, node.escapechar)
        op = ("NOT " if node.not_ else "") + ("ILIKE" if node.nocase else "LIKE")
        return sql.SQL("({}::text " + op + " {})").format(self._value(lhs), sql.Literal(pattern))

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        _no_geometry(lhs, *options)
        op = "NOT IN" if node.not_ else "IN"
        items = sql.SQL(", ").join(self._value(o) for o in options)
        return sql.SQL("({} " + op + " ({}))").format(self._value(lhs), items)

    @handle(ast.IsNull)
    def isnull(self, node, lhs):
        return sql.SQL("({} IS " + ("NOT " if node.not_ else "") + "NULL)").format(self._value(lhs))

    @handle(ast.Include)
    def include(self, node):
        return sql.SQL("FALSE" if node.not_ else "TRUE")

    @handle(*_ARITH)
    def arithmetic(self, node, lhs, rhs):
        _no_geometry(lhs, rhs)
        return sql.SQL("({} " + _ARITH[type(node)] + " {})").format(
            self._value(lhs), self._value(rhs)
        )

    @handle(*_SPATIAL)
    def spatial(self, node, lhs, rhs):
        return sql.SQL(_SPATIAL[type(node)] + "({}, {})").format(self._value(lhs), self._value(rhs))

    @handle(values.Geometry)
    def geometry(self, node):
        crs = self.filter_crs
        name = (node.geometry.get("crs") or {}).get("properties", {}).get("name")
        if name:
            try:
                crs = parse_crs_uri(name)
            except UnsupportedCrs as exc:
                raise FilterError(str(exc)) from None
        return _Geom({k: v for k, v in node.geometry.items() if k != "crs"}, crs)

    @handle(values.Envelope)
    def envelope(self, node):
        return self._bbox([node.x1, node.y1, node.x2, node.y2])

    @handle(ast.Function)
    def function(self, node, *args):
        name = node.name.lower()
        if name in ("lower", "casei") and len(args) == 1:
            return sql.SQL("lower({}::text)").format(self._value(args[0]))
        if name == "bbox" and len(args) in (4, 6):
            nums = list(args)
            if len(nums) == 6:
                nums = [nums[0], nums[1], nums[3], nums[4]]
            return self._bbox(to_xy([float(n) for n in nums], self.filter_crs))
        if name in ("date", "timestamp") and len(args) == 1 and isinstance(args[0], str):
            try:
                return (
                    dt.date.fromisoformat(args[0])
                    if name == "date"
                    else dt.datetime.fromisoformat(args[0])
                )
            except ValueError:
                raise FilterError(f"{node.name}({args[0]!r}) is not an ISO 8601 date") from None
        raise FilterError(
            f"function {node.name}() is not supported in filters; supported: CASEI, BBOX, DATE, TIMESTAMP"
        )

    def _bbox(self, xy: list[float]) -> _Geom:
        x1, y1, x2, y2 = xy
        ring = [[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]
        crs = RequestCrs(
            self.filter_crs.uri, self.filter_crs.srid, False
        )  # xy already in x/y order
        return _Geom({"type": "Polygon", "coordinates": [ring]}, crs)

    def adopt(self, node, *sub_args):
        if isinstance(node, (bool, int, float, str, dt.date, dt.datetime)) or node is None:
            return node
        if isinstance(node, list):
            return node
        raise FilterError(
            f"{type(node).__name__} is not supported in filters (supported: comparison, "
            "LIKE, BETWEEN, IN, IS NULL, AND/OR/NOT, arithmetic, S_INTERSECTS and other spatial predicates)"
        )


def _swap(geojson: dict) -> dict:
    def flip(c):
        if c and isinstance(c[0], (int, float)):
            return [c[1], c[0], *c[2:]]
        return [flip(x) for x in c]

    return {**geojson, "coordinates": flip(geojson["coordinates"])}


def _like_pattern(pattern: str, wildcard: str, singlechar: str, escapechar: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escapechar and ch == escapechar and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\" + nxt if nxt in "%_\\" else nxt)
            i += 2
            continue
        if ch == wildcard:
            out.append("%")
        elif ch == singlechar or (singlechar == "." and ch == "_"):
            out.append("_")
        elif ch in "%_\\":
            out.append("\\" + ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def to_sql(
    node: ast.Node, *, columns: set[str], geom: str | None, srid: int, filter_crs: RequestCrs
) -> sql.Composable:
    """SQL boolean expression for a parsed filter; FilterError when something is not supported."""
    result = SqlEvaluator(columns, geom, srid, filter_crs).evaluate(node)
    if not isinstance(result, sql.Composable):
        raise FilterError("the filter is not a condition; example: height_m > 10")
    return result
