"""Walking distances on the pgRouting graph: points attached to edges, targets reached near their outline.

The graph lives in session temp tables (dropped at commit), built from `msip.walk_edge`:

* ``net_edge``: the edges of one network snapshot (optionally clipped to an area).
* ``net_attach``: where points meet the network: homes snap to the nearest edge (the
  perpendicular foot of the point, ``snap_m`` away); a target (park, school) touches every
  stretch of network within ``tolerance_m`` of its outline (the pieces of the edges inside
  the outline buffered by the tolerance; both ends of each piece are attachment points), or,
  when no network is that close, the network point nearest to it (within the snap limit).
* ``net_graph``: the edges cut at every attachment point (cost = reverse_cost = metres along
  the edge), plus one virtual node per target with zero-cost *one-way* edges to its
  attachment points and to every graph node within its reach. Walking never passes through a virtual node, so
  a Dijkstra from a set of virtual nodes (pgr_drivingDistance, one call) gives each node's
  network distance to the nearest target, or to every target separately.

A distance from a home is therefore ``snap_m`` (the straight leg from the point to the
network) plus the shortest path along the network to the first point within the tolerance
of the target. Everything is deterministic: ids follow (edge, fraction) order.
"""

from __future__ import annotations

import numpy as np
import psycopg
import shapely
from shapely.strtree import STRtree

from msip.core.copy import copy_rows
from msip.core.db import one_row

#: Temp tables this module creates (all ON COMMIT DROP).
TEMP_TABLES = (
    "net_edge",
    "net_home",
    "net_target",
    "net_attach",
    "net_cut",
    "net_node",
    "net_graph",
    "net_target_node",
    "net_attach_node",
    "net_home_node",
)
GRAPH_SQL = "SELECT id, source, target, cost, reverse_cost FROM net_graph"


def load_edges(conn: psycopg.Connection, *, epoch, area_wkb: bytes | None = None) -> int:
    """Copy the network snapshot of `epoch` (NULL = undated) into ``net_edge``; returns its edge count.

    `area_wkb` (EPSG:2180 polygon, WKB) keeps only the edges intersecting it.
    """
    conn.execute(
        "CREATE TEMP TABLE net_edge ON COMMIT DROP AS "
        "SELECT id, source, target, length_m, geom FROM msip.walk_edge "
        "WHERE epoch IS NOT DISTINCT FROM %(e)s "
        "AND (%(a)s::bytea IS NULL OR geom && ST_GeomFromWKB(%(a)s::bytea, 2180)) ORDER BY id",
        {"e": epoch, "a": area_wkb},
    )
    conn.execute("CREATE INDEX ON net_edge USING gist (geom)")
    conn.execute("CREATE INDEX ON net_edge (id)")
    conn.execute("ANALYZE net_edge")
    conn.execute(
        "CREATE TEMP TABLE net_home (owner bigint PRIMARY KEY, geom geometry(Point, 2180) NOT NULL) ON COMMIT DROP"
    )
    conn.execute(
        "CREATE TEMP TABLE net_target (tgt_id bigint PRIMARY KEY, kind text NOT NULL, owner bigint NOT NULL, "
        "area_m2 double precision, geom geometry NOT NULL, reach_m double precision) ON COMMIT DROP"
    )
    conn.execute(
        "CREATE TEMP TABLE net_attach (kind text NOT NULL, owner bigint NOT NULL, edge_id bigint NOT NULL, "
        "fraction double precision NOT NULL, snap_m double precision NOT NULL) ON COMMIT DROP"
    )
    return one_row(conn.execute("SELECT count(*) FROM net_edge"))[0]


def snap_homes(conn: psycopg.Connection, *, max_snap_m: float) -> int:
    """Attach every ``net_home`` point to its nearest edge within `max_snap_m`; returns how many snapped.

    Nearest edges come from a shapely STRtree (exact distances, as ST_Distance); among equally
    near edges the lowest id wins. The position along the edge is its projection (as
    ST_LineLocatePoint).
    """
    edges = conn.execute("SELECT id, ST_AsBinary(geom) FROM net_edge ORDER BY id").fetchall()
    homes = conn.execute("SELECT owner, ST_AsBinary(geom) FROM net_home ORDER BY owner").fetchall()
    if not edges or not homes:
        return 0
    edge_ids = np.array([r[0] for r in edges])
    lines = shapely.from_wkb([bytes(r[1]) for r in edges])
    points = shapely.from_wkb([bytes(r[1]) for r in homes])
    (home_i, edge_i), dist = STRtree(lines).query_nearest(
        points, max_distance=max_snap_m, return_distance=True, all_matches=True
    )
    order = np.lexsort(
        (edge_ids[edge_i], home_i)
    )  # per home: the lowest edge id among the tied nearest
    home_i, edge_i, dist = home_i[order], edge_i[order], dist[order]
    first = np.r_[True, home_i[1:] != home_i[:-1]]
    home_i, edge_i, dist = home_i[first], edge_i[first], dist[first]
    fraction = shapely.line_locate_point(lines[edge_i], points[home_i], normalized=True)
    return copy_rows(
        conn,
        "net_attach",
        ["kind", "owner", "edge_id", "fraction", "snap_m"],
        (
            ("home", homes[h][0], int(edge_ids[e]), float(f), float(d))
            for h, e, f, d in zip(home_i, edge_i, fraction, dist, strict=True)
        ),
    )


def attach_targets(
    conn: psycopg.Connection, *, tolerance_m: float, max_snap_m: float
) -> tuple[int, int]:
    """Attach every ``net_target`` at both ends of each network piece within its reach.

    The reach is `tolerance_m`; for a target with no walk edge that close it is the distance
    to the nearest edge plus the tolerance (so a school 22 m from a street is entered along
    that street, however the street runs), if that edge is within `max_snap_m`; targets
    farther away stay unreachable. Returns (targets within the tolerance, targets farther).
    """
    conn.execute("CREATE INDEX ON net_target USING gist (geom)")
    conn.execute(
        "UPDATE net_target t SET reach_m = CASE WHEN n.d <= %(tol)s THEN %(tol)s::float8 "
        "  WHEN n.d <= %(snap)s THEN n.d + %(tol)s END "
        "FROM (SELECT t2.tgt_id, (SELECT ST_Distance(e.geom, t2.geom) FROM net_edge e "
        "      ORDER BY e.geom <-> t2.geom LIMIT 1) AS d FROM net_target t2) n WHERE n.tgt_id = t.tgt_id",
        {"tol": tolerance_m, "snap": max_snap_m},
    )
    conn.execute("ANALYZE net_target")
    conn.execute(
        "INSERT INTO net_attach (kind, owner, edge_id, fraction, snap_m) "
        "SELECT 'target', p.tgt_id, p.id, f.fraction, 0 FROM ("
        "  SELECT t.tgt_id, e.id, e.geom, "
        "(ST_Dump(ST_Intersection(e.geom, ST_Buffer(t.geom, t.reach_m)))).geom AS piece"
        "  FROM net_target t JOIN net_edge e ON ST_DWithin(e.geom, t.geom, t.reach_m)) p "
        "CROSS JOIN LATERAL unnest(CASE WHEN ST_Dimension(p.piece) = 0 "
        "  THEN ARRAY[ST_LineLocatePoint(p.geom, p.piece)] "
        "  ELSE ARRAY[ST_LineLocatePoint(p.geom, ST_StartPoint(p.piece)), "
        "             ST_LineLocatePoint(p.geom, ST_EndPoint(p.piece))] END) AS f(fraction)",
    )
    inside, farther = one_row(conn.execute(
        "SELECT count(*) FILTER (WHERE reach_m = %s), count(*) FILTER (WHERE reach_m > %s) FROM net_target",
        (tolerance_m, tolerance_m),
    ))
    return inside, farther


def build_graph(conn: psycopg.Connection) -> tuple[int, int]:
    """Cut the edges at the attachment points and add the targets' virtual nodes.

    Returns (graph edges, virtual edges). After this, `home_nodes()` and `target_node()`
    name the nodes to start from / read at.
    """
    base = one_row(conn.execute(
        "SELECT coalesce(max(greatest(source, target)), 0) FROM net_edge"
    ))[0]
    conn.execute(
        "CREATE TEMP TABLE net_cut ON COMMIT DROP AS "
        "SELECT edge_id, fraction, %s::bigint + row_number() OVER (ORDER BY edge_id, fraction) AS node "
        "FROM (SELECT DISTINCT edge_id, fraction FROM net_attach WHERE fraction > 0 AND fraction < 1) c",
        (base,),
    )
    conn.execute("CREATE INDEX ON net_cut (edge_id, fraction)")
    conn.execute(
        "CREATE TEMP TABLE net_node ON COMMIT DROP AS "
        "SELECT DISTINCT ON (node) node, geom FROM ("
        "  SELECT source AS node, ST_StartPoint(geom) AS geom FROM net_edge"
        "  UNION ALL SELECT target, ST_EndPoint(geom) FROM net_edge"
        "  UNION ALL SELECT c.node, ST_LineInterpolatePoint(e.geom, c.fraction) "
        "  FROM net_cut c JOIN net_edge e ON e.id = c.edge_id) n ORDER BY node"
    )
    conn.execute("CREATE INDEX ON net_node USING gist (geom)")
    conn.execute("ANALYZE net_node")
    edges = conn.execute(
        "CREATE TEMP TABLE net_graph ON COMMIT DROP AS "
        "SELECT row_number() OVER (ORDER BY edge_id, fraction) AS id, node AS source, next_node AS target, "
        "(next_fraction - fraction) * length_m AS cost, (next_fraction - fraction) * length_m AS reverse_cost "
        "FROM (SELECT edge_id, fraction, node, length_m, "
        "        lead(node) OVER w AS next_node, lead(fraction) OVER w AS next_fraction FROM ("
        "    SELECT id AS edge_id, 0::float8 AS fraction, source AS node, length_m FROM net_edge"
        "    UNION ALL SELECT id, 1::float8, target, length_m FROM net_edge"
        "    UNION ALL SELECT c.edge_id, c.fraction, c.node, e.length_m "
        "FROM net_cut c JOIN net_edge e ON e.id = c.edge_id"
        "  ) p WINDOW w AS (PARTITION BY edge_id ORDER BY fraction)) s WHERE next_node IS NOT NULL"
    ).rowcount
    vbase = one_row(conn.execute("SELECT coalesce(max(node), 0) FROM net_node"))[0]
    conn.execute(
        "CREATE TEMP TABLE net_target_node ON COMMIT DROP AS "
        "SELECT tgt_id, %s::bigint + tgt_id AS vnode FROM net_target",
        (vbase,),
    )
    conn.execute("ALTER TABLE net_target_node ADD PRIMARY KEY (tgt_id)")
    conn.execute(
        "CREATE TEMP TABLE net_attach_node ON COMMIT DROP AS "
        "SELECT a.kind, a.owner, a.snap_m, CASE WHEN a.fraction <= 0 THEN e.source WHEN a.fraction >= 1 THEN e.target "
        "ELSE c.node END AS node FROM net_attach a JOIN net_edge e ON e.id = a.edge_id "
        "LEFT JOIN net_cut c ON c.edge_id = a.edge_id AND c.fraction = a.fraction"
    )
    # A target's virtual node leads to its attachment points and to every node inside its
    # tolerance zone (homes snapped onto a path inside a park are at the park: distance 0).
    virtual = conn.execute(
        "INSERT INTO net_graph (id, source, target, cost, reverse_cost) "
        "SELECT %s::bigint + row_number() OVER (ORDER BY vnode, node), vnode, node, 0, -1 FROM ("
        "  SELECT v.vnode, a.node FROM net_attach_node a JOIN net_target_node v ON v.tgt_id = a.owner "
        "  WHERE a.kind = 'target' "
        "  UNION SELECT v.vnode, n.node FROM net_target t JOIN net_target_node v USING (tgt_id) "
        "  JOIN net_node n ON ST_DWithin(n.geom, t.geom, t.reach_m)) x",
        (edges,),
    ).rowcount
    conn.execute(
        "CREATE TEMP TABLE net_home_node ON COMMIT DROP AS "
        "SELECT owner, snap_m, node FROM net_attach_node WHERE kind = 'home'"
    )
    conn.execute("CREATE INDEX ON net_home_node (node)")
    conn.execute("CREATE INDEX ON net_graph (source)")
    conn.execute("ANALYZE net_graph")
    conn.execute("ANALYZE net_home_node")
    return edges, virtual


def nearest_target(
    conn: psycopg.Connection, kind: str, *, min_area_m2: float = 0.0, max_m: float
) -> dict[int, tuple[int, float]]:
    """{home owner: (tgt_id, distance_m)} to the nearest target of `kind` (area ≥ `min_area_m2`) within `max_m`.

    The distance includes the home's snap leg; homes farther than `max_m` are absent. One
    multi-source Dijkstra (equicost) for all targets; on an exact tie either target is named.
    """
    starts = _starts(conn, kind, min_area_m2)
    if not starts:
        return {}
    rows = conn.execute(
        "SELECT h.owner, t.tgt_id, h.snap_m + d.agg_cost AS dist FROM pgr_drivingDistance(%s, %s::bigint[], %s, "
        "  directed => true, equicost => true) d "
        "JOIN net_home_node h ON h.node = d.node JOIN net_target_node t ON t.vnode = d.from_v "
        "WHERE h.snap_m + d.agg_cost <= %s ORDER BY h.owner",
        (GRAPH_SQL, starts, max_m, max_m),
    ).fetchall()
    return {owner: (tgt, dist) for owner, tgt, dist in rows}


def area_within(
    conn: psycopg.Connection, kind: str, *, max_m: float
) -> dict[int, tuple[int, float]]:
    """{home owner: (targets reached, their total area_m2)} over the targets of `kind` within `max_m` of a home.

    One bounded Dijkstra per target (pgr_drivingDistance without equicost, all in one call),
    summed in the database.
    """
    starts = _starts(conn, kind, 0.0)
    if not starts:
        return {}
    rows = conn.execute(
        "SELECT h.owner, count(*), sum(coalesce(t.area_m2, 0)) FROM pgr_drivingDistance(%s, %s::bigint[], %s, "
        "  directed => true, equicost => false) d "
        "JOIN net_home_node h ON h.node = d.node JOIN net_target_node v ON v.vnode = d.from_v "
        "JOIN net_target t ON t.tgt_id = v.tgt_id "
        "WHERE h.snap_m + d.agg_cost <= %s GROUP BY h.owner ORDER BY h.owner",
        (GRAPH_SQL, starts, max_m, max_m),
    ).fetchall()
    return {owner: (n, area) for owner, n, area in rows}


def _starts(conn: psycopg.Connection, kind: str, min_area_m2: float) -> list[int]:
    """Virtual nodes of the targets of `kind` with area ≥ `min_area_m2` that touch the network."""
    rows = conn.execute(
        "SELECT v.vnode FROM net_target t JOIN net_target_node v USING (tgt_id) "
        "WHERE t.kind = %s AND coalesce(t.area_m2, 0) >= %s "
        "AND EXISTS (SELECT 1 FROM net_graph g WHERE g.source = v.vnode) ORDER BY v.vnode",
        (kind, min_area_m2),
    )
    return [r[0] for r in rows]
