"""Shared click option types: epochs, EPSG codes, extents; their errors show an example."""

from __future__ import annotations

from datetime import date

import click


class EpochType(click.ParamType):
    """A survey/inventory date, YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2024-06-15", param, ctx)


class EpsgType(click.ParamType):
    """An accepted input CRS: EPSG:2180, 2178, urn:ogc:def:crs:EPSG::2176, CRS84 …"""

    name = "EPSG"

    def convert(self, value, param, ctx):
        from msip.core.errors import CrsError
        from msip.core.crs import parse_epsg

        try:
            return parse_epsg(value)
        except CrsError as exc:
            self.fail(str(exc), param, ctx)


class ExtentType(click.ParamType):
    """An allowed area for coordinates: 'kielce', 'poland' or minx,miny,maxx,maxy (EPSG:2180)."""

    name = "EXTENT"

    def convert(self, value, param, ctx):
        from msip.core.errors import ConfigError
        from pipelines.readers.validate import get_extent

        try:
            return get_extent(value)
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


EPOCH = EpochType()
EPSG = EpsgType()
EXTENT = ExtentType()

epoch_option = click.option("--epoch", type=EPOCH, help="Date of capture / inventory, YYYY-MM-DD.")
crs_option = click.option("--crs", type=EPSG, default=None,
                          help="CRS of the input when the file does not say (EPSG:2180, 2176–2179, 4326).")
extent_option = click.option("--extent", type=EXTENT, default="kielce", show_default=True,
                             help="Where coordinates must fall: kielce, poland, none (no check) or minx,miny,maxx,maxy in EPSG:2180.")
force_option = click.option("--force", is_flag=True, help="Load even if the same file was loaded before.")
