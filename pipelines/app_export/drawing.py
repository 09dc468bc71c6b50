"""The plan's drawing: a north-up PNG of its zones with a legend, georeferenced by a world file in the plan's CRS.

The map fills a pixel grid whose size in metres is a round number; the legend sits in a panel
to the right of the map on the same grid, so the one world file georeferences the whole image
(GDAL and QGIS open `plan.png` + `plan.pgw`). Drawn with matplotlib's Agg canvas (no pyplot:
safe in the API's threads).
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from msip.core.crs import STORAGE_EPSG, transformer
from pipelines.app_export.plan import PlanData

#: Plan-ogólny zone symbols → fill colour (after the colours of the regulation's drawing standard).
COLOURS = {
    "SW": "#e39b54", "SJ": "#f5d76e", "SZ": "#f0c27b", "SU": "#e05c5c", "SH": "#c8469b", "SP": "#a58fc4",
    "SR": "#d9e59a", "SI": "#b3b3b3", "SN": "#7fbf6a", "SC": "#4f9a58", "SG": "#c7c96b", "SO": "#b8dca0",
    "SK": "#d6d6d6",
}
OTHER = ["#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5", "#bc80bd"]
#: Longest side of the map part of the image, in pixels.
MAP_PX = 1600
LEGEND_PX = 520
MARGIN_PX = 40
#: OGC's standardised rendering pixel (0.28 mm): the drawing's scale is its pixel size over this.
OGC_PIXEL_M = 0.00028


@dataclass
class Drawing:
    """A rendered drawing: PNG bytes, its world file, CRS and pixel size."""

    png: bytes
    world_file: str
    epsg: int
    pixel_m: float
    width_px: int
    height_px: int

    @property
    def scale_denominator(self) -> int:
        """The scale of the drawing at the OGC standard pixel (0.28 mm), e.g. 5000 for 1:5000."""
        return int(round(self.pixel_m / OGC_PIXEL_M, -1))


def nice_pixel_m(span_m: float, pixels: int = MAP_PX) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k metres per pixel that fits `span_m` into `pixels`.

    >>> nice_pixel_m(3000.0)
    2.0
    """
    raw = max(span_m, 1.0) / pixels
    exp = 10 ** math.floor(math.log10(raw))
    return next(m * exp for m in (1, 2, 2.5, 5, 10) if m * exp >= raw)


def _to_plan_crs(geom: MultiPolygon, epsg: int) -> MultiPolygon:
    if epsg == STORAGE_EPSG:
        return geom
    tr = transformer(STORAGE_EPSG, epsg)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _path(geom: MultiPolygon | Polygon):  # -> matplotlib.path.Path
    from matplotlib.path import Path as MplPath

    verts: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for poly in shapely.get_parts(geom):
        for ring in [poly.exterior, *poly.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
            c[0], c[-1] = MplPath.MOVETO, MplPath.CLOSEPOLY
            verts.append(xy)
            codes.append(c)
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def render_drawing(data: PlanData) -> Drawing:
    """Draw the plan's zones (coloured by symbol, labelled with their designation), its outline and a legend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch, PathPatch

    epsg = data.epsg
    outline = _to_plan_crs(data.geom, epsg)
    zones = [(z, _to_plan_crs(g, epsg)) for z, g in zip(data.zones, data.zone_geoms, strict=True)]
    minx, miny, maxx, maxy = shapely.union_all([outline, *(g for _, g in zones)]).bounds
    pixel = nice_pixel_m(max(maxx - minx, maxy - miny))
    map_w, map_h = math.ceil((maxx - minx) / pixel), math.ceil((maxy - miny) / pixel)
    width, height = map_w + 2 * MARGIN_PX + LEGEND_PX, max(map_h + 2 * MARGIN_PX, 420)
    # The grid's origin on a whole multiple of the pixel size, so neighbouring drawings align.
    x0 = math.floor((minx - MARGIN_PX * pixel) / pixel) * pixel
    y1 = math.ceil((maxy + MARGIN_PX * pixel) / pixel) * pixel
    fig = Figure(figsize=(width / 100, height / 100), dpi=100, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(x0, x0 + width * pixel)
    ax.set_ylim(y1 - height * pixel, y1)
    ax.set_axis_off()
    colours: dict[str, str] = {}
    labels: dict[str, str] = {}
    for z, geom in zones:
        symbol = str(z["symbol"])
        colour = colours.setdefault(symbol, COLOURS.get(symbol) or OTHER[len(colours) % len(OTHER)])
        labels.setdefault(symbol, z.get("name_label") or symbol)
        ax.add_patch(PathPatch(_path(geom), facecolor=colour, edgecolor="#333333", linewidth=0.6))
        if len(zones) <= 300 and z.get("designation"):
            p = geom.representative_point()
            ax.text(p.x, p.y, z["designation"], fontsize=7, ha="center", va="center", color="#111111")
    ax.add_patch(PathPatch(_path(outline), facecolor="none", edgecolor="#c00000", linewidth=2.0, linestyle="--"))
    handles = [Patch(facecolor=colours[s], edgecolor="#333333", label=textwrap.shorten(f"{s} — {labels[s]}", 60))
               for s in sorted(colours)]
    handles.append(Patch(facecolor="none", edgecolor="#c00000", linestyle="--", label="granica planu / plan boundary"))
    title = "\n".join(textwrap.wrap(str(data.plan["title"]), 48)[:3])
    legend = ax.legend(handles=handles, loc="upper left", fontsize=8, title=title, title_fontsize=9,
                       bbox_to_anchor=((map_w + 2 * MARGIN_PX) / width, 1 - MARGIN_PX / height), frameon=True)
    legend.get_title().set_multialignment("left")
    scale = int(round(pixel / OGC_PIXEL_M, -1))
    ax.text((map_w + 2 * MARGIN_PX) / width, MARGIN_PX / height / 2,
            f"EPSG:{epsg}, {pixel:g} m/px (≈1:{scale:,})\nMSIP — {data.label}".replace(",", " "),
            transform=ax.transAxes, fontsize=7, va="bottom", color="#444444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    world = f"{pixel:.6f}\n0.000000\n0.000000\n{-pixel:.6f}\n{x0 + pixel / 2:.6f}\n{y1 - pixel / 2:.6f}\n"
    return Drawing(buf.getvalue(), world, epsg, pixel, width, height)
