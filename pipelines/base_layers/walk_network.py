"""The pedestrian graph: lines split at intersections, then pgRouting topology in msip.walk_edge/walk_vertex.

Noding: line ends closer than `SNAP_M` to another line are moved onto it (a footpath
digitised 2 cm short of a street still joins it), then every crossing or touching becomes
a vertex (GEOS noding, as PostGIS ST_Node). Sources that are already split at their
junctions (OSM ways cut at shared nodes by pyrosm) skip noding, so bridges over streets
do not connect to them. Vertices come from pgr_extractVertices (pgRouting ≥ 3.3); each
edge's source/target are the vertices at its start/end; cost = reverse_cost = length_m.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, MultiPoint, Point
from shapely.strtree import STRtree

from msip.core.copy import copy_rows, ewkb_hex
from msip.core.db import one_row
from msip.core.runs import LoadRun

#: Line ends within this distance of another line are joined to it (metres).
SNAP_M = 0.05


@dataclass
class WalkLine:
    """One accepted source line (EPSG:2180) and the attributes its edges inherit."""

    source_id: str
    name: str | None
    road_class: str | None
    width_m: float | None
    geom: LineString


def join_near_ends(lines: list[LineString], snap_m: float = SNAP_M) -> list[LineString]:
    """Move each line end lying within `snap_m` of another line (but not on it) onto that line.

    The landing point is also inserted as a vertex of the line it lands on, so noding then
    finds the junction exactly (floating-point projections are rarely exactly on a segment).
    """
    tree = STRtree(lines)
    coords = [np.asarray(line.coords, dtype=float)[:, :2].copy() for line in lines]
    landed: list[Point] = []
    for i in range(len(lines)):
        for end in (0, -1):
            point = Point(coords[i][end])
            near = [j for j in tree.query(point, predicate="dwithin", distance=snap_m) if j != i]
            if not near:
                continue
            j = min(near, key=lambda k: lines[k].distance(point))
            if lines[j].distance(point) == 0:
                continue
            target = lines[j].interpolate(lines[j].project(point))
            coords[i][end] = target.coords[0][:2]
            landed.append(target)
    joined = [LineString(c) for c in coords]
    if landed:
        targets = MultiPoint(landed)
        joined = [
            shapely.snap(line, targets, 1e-6) if line.distance(targets) < 1e-6 else line
            for line in joined
        ]
    return joined


def split_at_intersections(
    lines: list[LineString], snap_m: float = SNAP_M
) -> tuple[list[LineString], np.ndarray]:
    """Node `lines`: returns the edges and, for each, the index of the line it was cut from."""
    if not lines:
        return [], np.array([], dtype=int)
    joined = join_near_ends(lines, snap_m)
    pieces = [p for p in shapely.get_parts(shapely.node(MultiLineString(joined))) if p.length > 0]
    middles = shapely.line_interpolate_point(np.asarray(pieces, dtype=object), 0.5, normalized=True)
    _, owner = STRtree(joined).query_nearest(middles, all_matches=False)
    return pieces, owner


def build_graph(
    run: LoadRun, lines: list[WalkLine], *, epoch: date | None, source_format: str, noded: bool
) -> tuple[int, int]:
    """Replace the epoch's network with edges cut from `lines`; returns (edges, vertices) written."""
    conn = run.conn
    if noded:
        pieces, owner = [w.geom for w in lines], np.arange(len(lines))
    else:
        pieces, owner = split_at_intersections([w.geom for w in lines])
    conn.execute("DELETE FROM msip.walk_edge WHERE epoch IS NOT DISTINCT FROM %s", (epoch,))
    conn.execute("DELETE FROM msip.walk_vertex WHERE epoch IS NOT DISTINCT FROM %s", (epoch,))
    conn.execute(
        "CREATE TEMP TABLE walk_stage (id bigint PRIMARY KEY, line int NOT NULL, "
        "geom geometry(LineString, 2180) NOT NULL, source bigint, target bigint) ON COMMIT DROP"
    )
    copy_rows(
        conn,
        "walk_stage",
        ["id", "line", "geom"],
        zip(range(1, len(pieces) + 1), owner.tolist(), ewkb_hex(pieces), strict=True),
    )
    conn.execute(
        "CREATE TEMP TABLE walk_ends ON COMMIT DROP AS "
        "SELECT nextval('msip.walk_vertex_id_seq') AS vertex_id, in_edges, out_edges, geom "
        "FROM pgr_extractVertices('SELECT id, geom FROM walk_stage')"
    )
    vertices = conn.execute(
        "INSERT INTO msip.walk_vertex (id, epoch, geom, load_run_id) "
        "SELECT vertex_id, %s, ST_SetSRID(geom, 2180), %s FROM walk_ends",
        (epoch, run.run_id),
    ).rowcount
    conn.execute(
        "UPDATE walk_stage s SET source = e.vertex_id FROM "
        "(SELECT vertex_id, unnest(out_edges) AS edge FROM walk_ends) e WHERE s.id = e.edge"
    )
    conn.execute(
        "UPDATE walk_stage s SET target = e.vertex_id FROM "
        "(SELECT vertex_id, unnest(in_edges) AS edge FROM walk_ends) e WHERE s.id = e.edge"
    )
    conn.execute(
        "CREATE TEMP TABLE walk_attr (line int PRIMARY KEY, source_id text, name text, "
        "road_class text, width_m double precision) ON COMMIT DROP"
    )
    copy_rows(
        conn,
        "walk_attr",
        ["line", "source_id", "name", "road_class", "width_m"],
        ((i, w.source_id, w.name, w.road_class, w.width_m) for i, w in enumerate(lines)),
    )
    edges = conn.execute(
        "INSERT INTO msip.walk_edge (source, target, source_id, epoch, name, road_class, width_m, length_m, "
        "cost, reverse_cost, source_format, geom, load_run_id) "
        "SELECT s.source, s.target, a.source_id, %s, a.name, a.road_class, a.width_m, ST_Length(s.geom), "
        "ST_Length(s.geom), ST_Length(s.geom), %s, s.geom, %s "
        "FROM walk_stage s JOIN walk_attr a USING (line) ORDER BY s.id",
        (epoch, source_format, run.run_id),
    ).rowcount
    return edges, vertices


def describe_components(run: LoadRun) -> str:
    """'N connected components; the largest holds P % of the length' for this run's edges."""
    row = one_row(run.conn.execute(
        "WITH c AS (SELECT component, node FROM pgr_connectedComponents("
        "  'SELECT id, source, target, cost, reverse_cost FROM msip.walk_edge WHERE load_run_id = ' || %s::text)), "
        "per AS (SELECT c.component, sum(e.length_m) AS length_m FROM c "
        "  JOIN msip.walk_edge e ON e.load_run_id = %s AND e.source = c.node GROUP BY c.component) "
        "SELECT count(*), coalesce(max(length_m) / nullif(sum(length_m), 0), 0) FROM per",
        (run.run_id, run.run_id),
    ))
    return f"{row[0]} connected components; the largest holds {100 * row[1]:.1f} % of the network length"
