"""Tile providers: the shared WebMercatorQuad base and vector tiles (MVT built by PostGIS).

Map tiles rendered from COGs are in `msip.api.providers.map_tiles`. Both serve OGC API Tiles in
WebMercatorQuad. pygeoapi lists them (`/collections/{id}/tiles`,
tileset metadata); the tile data route in `msip.api.app` calls `get_tiles` and adds caching
headers. Tiles outside the data answer 404, tiles inside but empty an empty (valid) tile.
"""

from __future__ import annotations

import logging
from typing import Any

from psycopg import sql
from pygeoapi.models.provider.base import TileMatrixSetEnum
from pygeoapi.provider.tile import BaseTileProvider, ProviderTileNotFoundError

from msip.api.providers.db import conninfo_from_def, fetch, table_info

LOGGER = logging.getLogger(__name__)
WEBMERCATOR = TileMatrixSetEnum.WEBMERCATORQUAD.value


class TileProviderBase(BaseTileProvider):
    """Metadata common to MSIP's tile providers (WebMercatorQuad, zoom range from `options.zoom`)."""

    options: dict[str, Any]

    def __init__(self, provider_def: dict):
        super().__init__(provider_def)
        self.options = self.options or {}
        zoom = self.options.get("zoom", {})
        self.minzoom, self.maxzoom = int(zoom.get("min", 0)), int(zoom.get("max", 22))
        self.options["zoom"] = {"min": self.minzoom, "max": self.maxzoom}

    def get_tiling_schemes(self):
        return [WEBMERCATOR]

    def get_tiles_service(
        self, baseurl=None, servicepath=None, dirpath=None, tile_type=None
    ) -> dict:
        return {
            "links": [
                {
                    "type": self.mimetype,
                    "rel": "item",
                    "title": "tile template (z/row/col)",
                    "href": servicepath,
                    "templated": True,
                }
            ]
        }

    def get_metadata(
        self,
        dataset,
        server_url,
        layer,
        tileset,
        metadata_format=None,
        title=None,
        description=None,
        language=None,
        **kwargs,
    ) -> dict:
        if tileset != WEBMERCATOR.tileMatrixSet:
            from pygeoapi.provider.tile import ProviderTilesetIdNotFoundError

            raise ProviderTilesetIdNotFoundError(
                user_msg=f"tile matrix set {tileset!r} is not offered; use WebMercatorQuad"
            )
        tile = "{tileMatrix}/{tileRow}/{tileCol}"
        href = f"{server_url}/collections/{dataset}/tiles/{tileset}/{tile}?f={self.format_type}"
        return {
            "title": title,
            "description": description,
            "dataType": self.tile_type,
            "crs": WEBMERCATOR.crs,
            "tileMatrixSetURI": WEBMERCATOR.tileMatrixSetURI,
            "tileMatrixSetLimits": [
                {"tileMatrix": str(z)} for z in range(self.minzoom, self.maxzoom + 1)
            ],
            "links": [
                {"rel": "item", "type": self.mimetype, "href": href, "templated": True},
                {
                    "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                    "type": "application/json",
                    "href": f"{server_url}/TileMatrixSets/{tileset}",
                },
            ],
        }

    def check_tile(self, tileset: str, z: int, y: int, x: int) -> None:
        """Raise 404 errors for an unknown tile matrix set, zoom outside the range or row/col off the grid."""
        if tileset != WEBMERCATOR.tileMatrixSet:
            raise ProviderTileNotFoundError(
                user_msg=f"tile matrix set {tileset!r} is not offered; use WebMercatorQuad"
            )
        if not self.minzoom <= z <= self.maxzoom:
            raise ProviderTileNotFoundError(
                user_msg=f"zoom {z} outside {self.minzoom}–{self.maxzoom} for this collection"
            )
        if not (0 <= x < 2**z and 0 <= y < 2**z):
            raise ProviderTileNotFoundError(
                user_msg=f"tile row {y} / col {x} is outside zoom level {z}"
            )


class PostgisMvtProvider(TileProviderBase):
    """Mapbox vector tiles of a PostGIS table, encoded by ST_AsMVT (one layer named after the collection)."""

    def __init__(self, provider_def: dict):
        super().__init__(provider_def)
        self.tile_type = "vector"
        self.conninfo = conninfo_from_def(provider_def["data"])
        self.info = table_info(
            self.conninfo,
            provider_def["table"],
            provider_def.get("geom_field"),
            provider_def.get("id_field"),
        )
        self.layer = self.options.get("layer") or self.info.table
        wanted = self.options.get("properties")
        self.properties = [
            c.name
            for c in self.info.columns
            if (wanted is None or c.name in wanted)
            and c.json_type in ("integer", "number", "string", "boolean")
        ]

    def get_layer(self) -> str:
        return self.layer

    def get_fields(self) -> dict:
        return {
            c.name: {"type": c.json_type} for c in self.info.columns if c.name in self.properties
        }

    def get_tiles(self, layer=None, tileset=None, z=None, y=None, x=None, format_=None) -> bytes:
        """One MVT tile (bytes; empty bytes for a tile with no features)."""
        z, y, x = int(z), int(y), int(x)
        self.check_tile(tileset, z, y, x)
        props = sql.SQL("").join(
            sql.SQL(", {}").format(sql.Identifier(p))
            for p in self.properties
            if p != self.info.id_field
        )
        assert self.info.geom is not None  # only tables with geometry get a tile provider
        geom = sql.Identifier(self.info.geom)
        query = sql.SQL("""
            WITH b AS (SELECT ST_TileEnvelope({z}, {x}, {y}) AS env)
            SELECT ST_AsMVT(t, {layer}, 4096, 'geom', 'id') FROM (
                SELECT {idcol} AS id{props},
                       ST_AsMVTGeom(ST_Transform({geom}, 3857), b.env, 4096, 64, true) AS geom
                FROM {table}, b
                WHERE {geom} && ST_Transform(
                    ST_Segmentize(ST_Expand(b.env, ST_Area(b.env) ^ 0.5 / 64), ST_Area(b.env) ^ 0.5 / 8), {srid})
            ) t WHERE t.geom IS NOT NULL""").format(
            z=sql.Literal(z),
            x=sql.Literal(x),
            y=sql.Literal(y),
            layer=sql.Literal(self.layer),
            idcol=sql.Identifier(self.info.id_field),
            props=props,
            geom=geom,
            table=self.info.ident,
            srid=sql.Literal(self.info.srid),
        )
        return bytes(fetch(self.conninfo, query)[0][0] or b"")

    def __repr__(self) -> str:
        return f"<PostgisMvtProvider {self.info.table}>"
