"""OGC API Features over PostGIS: correct axis order, transforms and GeoJSON built in SQL.

Replaces pygeoapi's PostgreSQL provider (which reprojects per feature in Python with the wrong
axis order, counts every result set and needs SQLAlchemy reflection per table). Geometries
are transformed and serialised by PostGIS; a whole page comes back as one JSON document.
`numberMatched` is exact: free when the page is not full, a capped count otherwise (omitted
above the cap, as the standard allows), and cached per data version for unfiltered requests.

Longer than ~300 lines: one pygeoapi provider class whose SQL pieces (bbox, filter, datetime,
order, paging, counts, the axis-order check of an empty bbox) all read the same table metadata;
split apart they would only pass that state around.
"""

from __future__ import annotations

import json
import logging
import time

import psycopg
from psycopg import sql
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
    ProviderQueryError,
)

from msip.api.crs import CRS84, CrsBBox, RequestCrs, UnsupportedCrs, clip_lonlat, parse_crs_uri
from msip.api.providers.cql import FilterError, to_sql
from msip.api.providers.db import conninfo_from_def, fetch, table_info
from msip.api.providers.feature_types import (
    FilterWithCrs,
    PageLinks,
    RawFeatures,
    bbox_key,
    output_crs,
    swapped,
)

LOGGER = logging.getLogger(__name__)

#: Above this many matches a filtered request reports no numberMatched (counting would cost more
#: than the page itself); the `next` link still pages through everything.
COUNT_CAP = 100_000
COUNT_TTL_S = 300.0
_counts: dict[tuple[str, str], tuple[float, object, int]] = {}
_item_sql: dict[tuple, str] = {}
_page_sql: dict[tuple, str] = {}
_NO_FILTER = sql.SQL("TRUE")


class PostgisFeatureProvider(BaseProvider):
    """pygeoapi feature provider for one PostGIS table or view (config: table, id_field, geom_field)."""

    def __init__(self, provider_def: dict):
        super().__init__(provider_def)
        self.conninfo = conninfo_from_def(provider_def["data"])
        self.info = table_info(
            self.conninfo,
            provider_def["table"],
            provider_def.get("geom_field"),
            provider_def.get("id_field"),
        )
        self.id_field = self.info.id_field
        self.geom = self.info.geom
        self.storage_srid = self.info.srid
        self.get_fields()

    def get_fields(self) -> dict:
        if not self._fields:
            for c in self.info.columns:
                if self.properties and c.name not in self.properties and c.name != self.id_field:
                    continue
                field = {"type": c.json_type}
                if c.json_format:
                    field["format"] = c.json_format
                if c.description:
                    field["description"] = c.description
                self._fields[c.name] = field
        return self._fields

    # ---- SQL pieces -------------------------------------------------------------------------

    def _geometry_sql(self, crs: RequestCrs) -> sql.Composable:
        assert self.geom is not None  # callers check
        g: sql.Composable = sql.Identifier(self.geom)
        if crs.srid != self.storage_srid:
            g = sql.SQL("ST_Transform({}, {})").format(g, sql.Literal(crs.srid))
        if crs.northing_first:
            g = sql.SQL("ST_FlipCoordinates({})").format(g)
        digits = 7 if crs.geographic else 3
        return sql.SQL("ST_AsGeoJSON({}, {}, 0)::json").format(g, sql.Literal(digits))

    def _feature_sql(
        self, crs: RequestCrs, names: list[str], skip_geometry: bool
    ) -> sql.Composable:
        props = sql.SQL(", ").join(
            sql.SQL("{}, {}").format(sql.Literal(n), sql.Identifier(n)) for n in names
        )
        geometry = (
            sql.SQL("NULL::json") if skip_geometry or self.geom is None else self._geometry_sql(crs)
        )
        return sql.SQL(
            "json_build_object('type', 'Feature', 'id', {}, 'geometry', {}, 'properties', json_build_object({}))"
        ).format(sql.Identifier(self.id_field), geometry, props)

    def _property_names(self, select_properties: list[str]) -> list[str]:
        names = [n for n in self.fields if n != self.id_field]
        if select_properties:
            names = [n for n in names if n in select_properties]
        return names

    def _bbox_sql(self, bbox, params: list | None = None) -> sql.Composable | None:
        """ST_Intersects with the bbox; its numbers are bound into `params` when given (else inlined)."""
        if not bbox:
            return None
        if self.geom is None:
            raise ProviderInvalidQueryError(
                user_msg="this collection has no geometry; remove the bbox parameter"
            )
        if isinstance(bbox, CrsBBox):
            crs, xy = bbox.crs, bbox.xy
        else:  # a plain list is in the storage CRS, x first (pygeoapi's provider convention)
            crs, xy = RequestCrs(f"EPSG:{self.storage_srid}", self.storage_srid, False), list(bbox)
        if crs.geographic:
            clipped = clip_lonlat(xy)
            if clipped is None:
                return sql.SQL("FALSE")
            xy = clipped

        def value(v: float) -> sql.Composable:
            if params is None:
                return sql.Literal(v)
            params.append(float(v))
            return sql.SQL("%s::float8")

        env = sql.SQL("ST_MakeEnvelope({}, {}, {}, {}, {})").format(
            *map(value, xy), sql.Literal(crs.srid)
        )
        if crs.srid != self.storage_srid:
            # Densify before projecting: a lon/lat box's edges are curves in a projected CRS.
            seg = max(xy[2] - xy[0], xy[3] - xy[1]) / 32 or 1.0
            env = sql.SQL("ST_Transform(ST_Segmentize({}, {}), {})").format(
                env, value(seg), sql.Literal(self.storage_srid)
            )
        return sql.SQL("ST_Intersects({}, {})").format(sql.Identifier(self.geom), env)

    def _where(
        self, bbox, properties, datetime_, filterq, params: list | None = None
    ) -> sql.Composable:
        parts: list[sql.Composable] = []
        b = self._bbox_sql(bbox, params)
        if b is not None:
            parts.append(b)
        for name, value in properties or []:
            if name not in self.fields:
                raise ProviderInvalidQueryError(user_msg=f"unknown property {name!r}")
            parts.append(
                sql.SQL("{}::text = {}").format(sql.Identifier(name), sql.Literal(str(value)))
            )
        if datetime_ not in (None, "../.."):
            parts.append(self._datetime_sql(datetime_))
        if filterq is not None:
            node, crs_uri = (
                (filterq.node, filterq.crs_uri)
                if isinstance(filterq, FilterWithCrs)
                else (filterq, CRS84)
            )
            try:
                parts.append(
                    to_sql(
                        node,
                        columns=set(self.fields),
                        geom=self.geom,
                        srid=self.storage_srid,
                        filter_crs=parse_crs_uri(crs_uri),
                    )
                )
            except (FilterError, UnsupportedCrs) as exc:
                raise ProviderInvalidQueryError(user_msg=str(exc)) from None
        return sql.SQL(" AND ").join(parts) if parts else _NO_FILTER

    def _datetime_sql(self, datetime_: str) -> sql.Composable:
        if not self.time_field:
            raise ProviderInvalidQueryError(
                user_msg="this collection has no time field; remove the datetime parameter"
            )
        col = sql.Identifier(self.time_field)
        if "/" in datetime_:
            begin, end = datetime_.split("/", 1)
            parts = []
            if begin not in ("", ".."):
                parts.append(sql.SQL("{} >= {}").format(col, sql.Literal(begin)))
            if end not in ("", ".."):
                parts.append(sql.SQL("{} <= {}").format(col, sql.Literal(end)))
            return sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")
        return sql.SQL("{} = {}").format(col, sql.Literal(datetime_))

    def _order(self, sortby) -> sql.Composable:
        keys: list[sql.Composable] = []
        for s in sortby or []:
            if s["property"] not in self.fields:
                raise ProviderInvalidQueryError(
                    user_msg=f"cannot sort by unknown property {s['property']!r}"
                )
            keys.append(
                sql.SQL("{} {}").format(
                    sql.Identifier(s["property"]), sql.SQL("DESC" if s["order"] == "-" else "ASC")
                )
            )
        keys.append(sql.Identifier(self.id_field))  # a total order makes paging stable
        return sql.SQL(", ").join(keys)

    def _run(self, query: sql.Composed | sql.SQL | str, params: tuple = ()) -> list[tuple]:
        try:
            return fetch(self.conninfo, query, params)
        except psycopg.DataError as exc:
            raise ProviderInvalidQueryError(
                user_msg=f"invalid value in the request: {_first_line(exc)}"
            ) from None
        except psycopg.errors.InternalError_ as exc:
            if "geometry" in str(exc).lower():
                raise ProviderInvalidQueryError(
                    user_msg=f"invalid geometry in the request: {_first_line(exc)}"
                ) from None
            if "transform" in str(exc).lower() or "project" in str(exc).lower():
                raise ProviderInvalidQueryError(
                    user_msg="coordinates lie outside the valid area of the CRS; "
                    "check the axis order (EPSG:2180 and EPSG:4326 are northing/latitude first)"
                ) from None
            raise ProviderQueryError(user_msg="the query failed (see the server log)") from exc
        except psycopg.errors.UndefinedFunction as exc:
            raise ProviderInvalidQueryError(
                user_msg=f"operator does not fit the property types: {_first_line(exc)}"
            ) from None

    # ---- pygeoapi interface ---------------------------------------------------------------

    def query(
        self,
        offset=0,
        limit=10,
        resulttype="results",
        bbox=None,
        datetime_=None,
        properties=None,
        sortby=None,
        select_properties=None,
        skip_geometry=False,
        q=None,
        filterq=None,
        crs_transform_spec=None,
        **kwargs,
    ) -> dict:
        """A page of features as a GeoJSON FeatureCollection dict (pygeoapi's provider interface)."""
        try:
            crs = output_crs(crs_transform_spec, self.storage_srid)
        except UnsupportedCrs as exc:
            raise ProviderInvalidQueryError(user_msg=str(exc)) from None
        # Without user literals (filter, property values) the SQL text is the same for every bbox,
        # so its numbers are bound, the text is cached and psycopg prepares the statement.
        simple = not (filterq or properties or datetime_ not in (None, "../.."))
        params: list | None = [] if simple else None
        where = self._where(bbox, properties, datetime_, filterq, params)
        bound = tuple(params or ())
        if resulttype == "hits":
            matched = self._count(where, bound, exact=True)
            if matched == 0:
                self._check_axis_order(bbox, properties, datetime_, filterq)
            return {
                "type": "FeatureCollection",
                "features": [],
                "numberMatched": matched,
                "numberReturned": 0,
            }
        names = self._property_names(select_properties or [])
        # LIMIT/OFFSET stay literals: as parameters they push PostgreSQL's generic plan to a slow one.
        key = (
            self.conninfo,
            self.info.schema,
            self.info.table,
            crs.uri,
            tuple(names),
            bool(skip_geometry),
            tuple((s["property"], s["order"]) for s in sortby or []),
            bbox_key(bbox),
            int(limit),
            int(offset),
        )
        query = _page_sql.get(key) if simple else None
        if query is None:
            query = (
                sql.SQL(
                    "SELECT coalesce(json_agg(f), '[]')::text, count(*) FROM (SELECT {} AS f FROM {} WHERE {} "
                    "ORDER BY {} LIMIT {} OFFSET {}) s"
                )
                .format(
                    self._feature_sql(crs, names, skip_geometry),
                    self.info.ident,
                    where,
                    self._order(sortby),
                    sql.Literal(int(limit)),
                    sql.Literal(int(offset)),
                )
                .as_string(None)
            )
            if (
                simple and len(_page_sql) < 10_000
            ):  # paging deep creates a text per offset: keep it bounded
                _page_sql[key] = query
        raw, n = self._run(query, bound)[0]
        if n == 0 and offset == 0:
            self._check_axis_order(bbox, properties, datetime_, filterq)
        features = RawFeatures(raw, n, crs=crs, columns=(self.id_field, *names))
        result: dict = {"type": "FeatureCollection", "features": features, "numberReturned": n}
        if 0 < n < limit or (offset == 0 and n == 0):
            result["numberMatched"] = offset + n
        else:
            matched = self._count(where, bound, exact=False)
            if matched is not None:
                result["numberMatched"] = matched
        last = "numberMatched" in result and offset + n >= result["numberMatched"]
        result["links"] = PageLinks(last=last)
        return result

    def _check_axis_order(self, bbox, properties, datetime_, filterq) -> None:
        """400 when a northing-first bbox matched nothing but its E,N reading would have."""
        if not isinstance(bbox, CrsBBox) or not bbox.crs.northing_first or self.geom is None:
            return
        other = swapped(bbox)
        params: list = []
        where = self._where(other, properties, datetime_, filterq, params)
        query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {})").format(self.info.ident, where)
        if not self._run(query, tuple(params))[0][0]:
            return
        given = ",".join(f"{v:.10g}" for v in other.xy)
        fix = ",".join(f"{v:.10g}" for v in bbox.xy)
        raise ProviderInvalidQueryError(
            user_msg=f"bbox={given} in {bbox.crs.uri} matched nothing, but read as easting/longitude "
            f"first it matches features: {bbox.crs.uri} is northing/latitude first, so send "
            f"bbox={fix} (or bbox-crs=http://www.opengis.net/def/crs/OGC/1.3/CRS84 with lon,lat)"
        )

    def _count(self, where: sql.Composable, params: tuple, *, exact: bool) -> int | None:
        table = self.info.ident
        if where is _NO_FILTER:
            return self._table_count()
        if exact:
            return self._run(
                sql.SQL("SELECT count(*) FROM {} WHERE {}").format(table, where), params
            )[0][0]
        n = self._run(
            sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {}) s").format(
                table, where, sql.Literal(COUNT_CAP + 1)
            ),
            params,
        )[0][0]
        return None if n > COUNT_CAP else n

    def _table_count(self) -> int:
        """Exact row count of the whole table, cached per data version (the latest load run)."""
        key = (self.conninfo, self.info.table)
        version = (
            self._run(sql.SQL("SELECT coalesce(max(run_id), 0) FROM msip.load_run_public"))[0][0]
            if self.info.schema == "msip"
            else None
        )
        cached = _counts.get(key)
        if cached and cached[1] == version and time.monotonic() - cached[0] < COUNT_TTL_S:
            return cached[2]
        n = self._run(sql.SQL("SELECT count(*) FROM {}").format(self.info.ident))[0][0]
        _counts[key] = (time.monotonic(), version, n)
        return n

    def get(self, identifier, crs_transform_spec=None, **kwargs) -> dict:
        """One feature by id; ProviderItemNotFoundError (404) when there is none."""
        try:
            crs = output_crs(crs_transform_spec, self.storage_srid)
        except UnsupportedCrs as exc:
            raise ProviderInvalidQueryError(user_msg=str(exc)) from None
        col = self.info.column(self.id_field)
        assert col is not None  # the id column is one of the table's columns
        ident = str(identifier)
        if col.json_type == "integer":
            if not ident.lstrip("-").isdigit() or len(ident) > 18:
                raise ProviderItemNotFoundError(user_msg=f"no item with {self.id_field}={ident!r}")
            value: object = int(ident)
        else:
            value = ident
        key = (self.conninfo, self.info.schema, self.info.table, crs.uri, tuple(self.fields))
        query = _item_sql.get(key)
        if (
            query is None
        ):  # one SQL text per collection and CRS, with the id bound: psycopg prepares it
            feature = self._feature_sql(crs, self._property_names([]), False)
            query = _item_sql[key] = (
                sql.SQL("SELECT {}::text FROM {} WHERE {} = %s")
                .format(feature, self.info.ident, sql.Identifier(self.id_field))
                .as_string(None)
            )
        rows = self._run(query, (value,))
        if not rows:
            raise ProviderItemNotFoundError(user_msg=f"no item with {self.id_field}={ident!r}")
        return json.loads(rows[0][0])

    def get_schema(self, schema_type=None):
        """JSON Schema of a feature of this collection (used in the OpenAPI document)."""
        props = {
            n: {k: v for k, v in f.items() if k in ("type", "format", "description")}
            for n, f in self.fields.items()
        }
        for p in props.values():
            if p["type"] == "array":
                p["items"] = {}
        return "application/geo+json", {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "geometry": {"type": "object"},
                "properties": {"type": "object", "properties": props},
            },
        }

    def __repr__(self) -> str:
        return f"<PostgisFeatureProvider {self.info.schema}.{self.info.table}>"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
