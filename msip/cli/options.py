"""Shared click option types (epochs, EPSG codes, extents; their errors show an example) and the
options of an analysis generated from its parameter table (`table_options`)."""

from __future__ import annotations

import click


class EpochType(click.ParamType):
    """A survey/inventory date, YYYY-MM-DD."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        from msip.core.epochs import parse_epoch
        from msip.core.errors import EpochError

        try:
            return parse_epoch(value, source="")
        except EpochError as exc:
            self.fail(str(exc), param, ctx)


class EpsgType(click.ParamType):
    """An accepted input CRS: EPSG:2180, 2178, urn:ogc:def:crs:EPSG::2176, CRS84 …"""

    name = "EPSG"

    def convert(self, value, param, ctx):
        from msip.core.crs import parse_epsg
        from msip.core.errors import CrsError

        try:
            return parse_epsg(value)
        except CrsError as exc:
            self.fail(str(exc), param, ctx)


class ExtentType(click.ParamType):
    """An allowed area for coordinates: 'kielce', 'poland', 'none' (= Poland) or minx,miny,maxx,maxy (EPSG:2180)."""

    name = "EXTENT"

    def convert(self, value, param, ctx):
        from msip.core.errors import ConfigError
        from msip.core.extents import get_extent

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
                             help="Where coordinates must fall: kielce, poland, none (no city limit, still "
                                  "Poland: EPSG:2180 is not valid elsewhere) or minx,miny,maxx,maxy in EPSG:2180.")
force_option = click.option("--force", is_flag=True, help="Load even if the same file was loaded before.")


def area_of(extent) -> tuple[float, float, float, float] | None:
    """An --bbox EXTENT as (minx, miny, maxx, maxy), or None when not given or all of Poland ('none', 'poland')."""
    if extent is None or extent.whole_poland:
        return None
    return (extent.minx, extent.miny, extent.maxx, extent.maxy)


def _click_type(p) -> click.ParamType:
    if p.choices is not None:
        return click.Choice([str(c) for c in p.choices])
    if p.kind == "integer":
        return click.IntRange(int(p.minimum), int(p.maximum))
    return click.FloatRange(p.minimum, p.maximum)


def table_options(table, names: list[str] | tuple[str, ...] | None = None):
    """Decorator adding one --option per parameter of a `processing.parameters.ParamTable` (in table order).

    `names` limits it to those parameters (to place other options between them); the value
    reaches the command under the parameter's name, as its Python type (choices too).
    """

    def decorate(fn):
        chosen = [p for p in table if p.cli and (names is None or p.name in names)]
        for p in reversed(chosen):
            default = None if p.default is None else str(p.default) if p.choices else p.coerce(p.default)
            fn = click.option(p.option, p.name, type=_click_type(p), default=default,
                              show_default=p.default is not None, help=table.cli_text(p),
                              callback=lambda ctx, param, value, p=p: p.coerce(value) if p.choices is None
                              else None if value is None else type(p.choices[0])(value))(fn)
        return fn

    return decorate
