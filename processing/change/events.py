"""From tile regions and tree samples to change events: merge across tiles, classify, cross-check registers.

Pure functions over shapely geometries and the tile results of `processing.change.rasters`;
`processing.change.detect` feeds them and `processing.change.store` stores the events in msip.change_event.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from processing.change.params import ChangeParams

#: change_event.type values, in reporting order.
EVENT_TYPES = (
    "new_building",
    "raised_building",
    "demolished_building",
    "lowered_building",
    "canopy_lost",
    "canopy_gained",
    "felled_tree",
    "health_decline",
    "terrain_change",
    "new_ad",
    "removed_ad",
)
_SURFACE = {
    "built": "built surface (nDSM outside canopy), m",
    "canopy": "CHM, m",
    "terrain": "DTM, m",
}


@dataclass
class Region:
    """A connected changed area inside a tile core: polygon (WKB) and additive statistics.

    `cls`: built_up, built_down, canopy_lost, canopy_gained, terrain_up or terrain_down.
    dz = later minus earlier value of the class's surface (m); `sum_from`/`sum_to` sum that
    surface in each epoch; `on_edge` says the region touches the core's edge (may continue).
    """

    cls: str
    wkb: bytes
    n_px: int
    sum_dz: float
    min_dz: float
    max_dz: float
    sum_from: float
    sum_to: float
    on_edge: bool


@dataclass
class ChangeEvent:
    """One change: type, where (Point or MultiPolygon, EPSG:2180), area m², height change m, evidence."""

    type: str
    geom: BaseGeometry
    area_m2: float | None
    height_change_m: float | None
    object_id: str | None = None
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InventoryObject:
    """An inventoried object (tree or carrier) as the change analysis needs it; `attrs` goes into evidence."""

    dataset: str
    source_id: str
    x: float
    y: float
    crown_diameter_m: float | None = None
    listed_to: bool = True
    attrs: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class RegisteredBuilding:
    """A building of a register snapshot: source id, footprint (EPSG:2180) and height (m, may be None)."""

    source_id: str
    geom: BaseGeometry
    height_m: float | None


def merge_regions(regions: Sequence[Region]) -> list[tuple[Region, BaseGeometry]]:
    """Join regions of one class that share an edge across tile borders; (summed stats, geometry) each.

    Only regions flagged `on_edge` can continue in another tile; touching at a corner does not
    join (4-neighbour connectivity, as inside a tile). Geometries are normalised MultiPolygons.
    """
    out = []
    by_cls: dict[str, list[Region]] = defaultdict(list)
    for r in regions:
        by_cls[r.cls].append(r)
    for cls in sorted(by_cls):
        rs = by_cls[cls]
        geoms = shapely.from_wkb([r.wkb for r in rs])
        for members in _edge_groups(geoms, np.array([r.on_edge for r in rs], dtype=bool)):
            parts = [rs[i] for i in members]
            geom = geoms[members[0]] if len(members) == 1 else shapely.union_all(geoms[members])
            merged = Region(
                cls,
                b"",
                sum(p.n_px for p in parts),
                sum(p.sum_dz for p in parts),
                min(p.min_dz for p in parts),
                max(p.max_dz for p in parts),
                sum(p.sum_from for p in parts),
                sum(p.sum_to for p in parts),
                False,
            )
            out.append((merged, as_multipolygon(geom)))
    return out


def _edge_groups(geoms: np.ndarray, on_edge: np.ndarray) -> list[list[int]]:
    """Indices grouped by shared edges (union-find); only `on_edge` geometries can join others."""
    parent = list(range(len(geoms)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edge = np.flatnonzero(on_edge)
    if len(edge) > 1:
        a, b = shapely.STRtree(geoms[edge]).query(geoms[edge], predicate="intersects")
        for i, j in zip(edge[a], edge[b], strict=False):
            if i < j and shapely.length(shapely.intersection(geoms[i], geoms[j])) > 0:
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(geoms)):
        groups[find(i)].append(i)
    return list(groups.values())


def as_multipolygon(geom: BaseGeometry) -> BaseGeometry:
    """A normalised MultiPolygon without redundant vertices (stable across tilings)."""
    geom = shapely.normalize(shapely.simplify(geom, 0.0))
    if isinstance(geom, shapely.Polygon):
        geom = shapely.MultiPolygon([geom])
    return geom


def classify_region(
    region: Region, geom: BaseGeometry, p: ChangeParams, res_m: float
) -> ChangeEvent | None:
    """The change event of a merged region, or None when it is smaller than its class's minimum area."""
    area = region.n_px * res_m * res_m
    if area < p.min_area_m2(region.cls) - 1e-9:
        return None
    n = region.n_px
    mean_from, mean_to = region.sum_from / n, region.sum_to / n
    family, direction = region.cls.split("_")
    if family == "built":
        if direction == "up":
            kind = "new_building" if mean_from < p.building_min_dz_m else "raised_building"
        else:
            kind = "demolished_building" if mean_to < p.building_min_dz_m else "lowered_building"
        threshold = p.building_min_dz_m
    elif family == "canopy":
        kind, threshold = f"canopy_{direction}", p.canopy_min_height_m
    else:
        kind, threshold = "terrain_change", p.terrain_min_dz_m
    evidence = {
        "surface": _SURFACE[family],
        "pixels": n,
        "pixel_size_m": res_m,
        "mean_from_m": round(mean_from, 2),
        "mean_to_m": round(mean_to, 2),
        "min_change_m": round(region.min_dz, 2),
        "max_change_m": round(region.max_dz, 2),
        "threshold_m": threshold,
    }
    return ChangeEvent(kind, geom, round(area, 2), round(region.sum_dz / n, 2), None, evidence)


def annotate_buildings(
    events: Iterable[ChangeEvent],
    register_from: Sequence[RegisteredBuilding],
    register_to: Sequence[RegisteredBuilding],
    *,
    min_share: float = 0.1,
) -> None:
    """Add to building events the register buildings they overlap in each epoch and whether the register agrees.

    `object_id` becomes the best-overlapping building (later register for new/raised, earlier
    for demolished/lowered). `register_confirms`: new → in the later register only; demolished
    → in the earlier only; raised/lowered → the same building in both with the height changed
    the same way (None when the register gives no heights).
    """
    trees = {
        e: (shapely.STRtree([b.geom for b in reg]) if reg else None, reg)
        for e, reg in (("from", register_from), ("to", register_to))
    }
    for ev in events:
        if not ev.type.endswith("_building"):
            continue
        found: dict[str, list[tuple[float, RegisteredBuilding]]] = {}
        for e, (tree, reg) in trees.items():
            hits: list[int] | np.ndarray = [] if tree is None else tree.query(ev.geom, predicate="intersects")
            shares = [
                (shapely.area(shapely.intersection(ev.geom, reg[i].geom)) / ev.geom.area, reg[i])
                for i in hits
            ]
            found[e] = sorted(
                (s for s in shares if s[0] >= min_share), key=lambda s: (-s[0], s[1].source_id)
            )
            ev.evidence[f"register_{e}"] = [
                {"id": b.source_id, "share": round(s, 2), "height_m": b.height_m}
                for s, b in found[e]
            ]
        best = {e: (found[e][0][1] if found[e] and found[e][0][0] >= 0.5 else None) for e in found}
        ids = {e: {b.source_id for _, b in found[e]} for e in found}
        own = best["to"] if ev.type in ("new_building", "raised_building") else best["from"]
        ev.object_id = own.source_id if own else None
        ok: bool | None
        if ev.type == "new_building":
            ok = best["to"] is not None and best["to"].source_id not in ids["from"]
        elif ev.type == "demolished_building":
            ok = best["from"] is not None and best["from"].source_id not in ids["to"]
        else:
            b_from, b_to = best["from"], best["to"]
            sign = 1 if ev.type == "raised_building" else -1
            if (
                b_from is not None
                and b_to is not None
                and b_from.source_id == b_to.source_id
                and b_from.height_m is not None
                and b_to.height_m is not None
            ):
                ok = sign * (b_to.height_m - b_from.height_m) > 0
            else:
                ok = None
        ev.evidence["register_confirms"] = ok


def inventory_events(
    before: Sequence[InventoryObject], after: Sequence[InventoryObject], *, added: str, removed: str
) -> list[ChangeEvent]:
    """Objects listed only in the later inventory (`added`) or only in the earlier one (`removed`)."""
    keys_before = {(o.dataset, o.source_id) for o in before}
    keys_after = {(o.dataset, o.source_id) for o in after}
    out = []
    for kind, objs, other in ((added, after, keys_before), (removed, before, keys_after)):
        for o in objs:
            if (o.dataset, o.source_id) not in other:
                out.append(
                    ChangeEvent(
                        kind,
                        shapely.Point(o.x, o.y),
                        None,
                        None,
                        o.source_id,
                        {"inventory": o.dataset, **dict(o.attrs)},
                    )
                )
    return out


def sort_events(events: Iterable[ChangeEvent]) -> list[ChangeEvent]:
    """Events in a stable order: by type (EVENT_TYPES order), then position (north to south, west to east)."""
    order = {t: i for i, t in enumerate(EVENT_TYPES)}

    def key(e: ChangeEvent):
        c = e.geom if isinstance(e.geom, shapely.Point) else e.geom.centroid
        return order[e.type], -round(c.y, 2), round(c.x, 2), e.object_id or ""

    return sorted(events, key=key)


def events_checksum(events: Iterable[ChangeEvent]) -> str:
    """SHA-256 over the events' types, values, evidence and geometry (cm), order-independent."""
    lines = sorted(
        json.dumps(
            [
                e.type,
                e.object_id,
                e.area_m2,
                e.height_change_m,
                e.evidence,
                shapely.to_wkt(shapely.normalize(e.geom), rounding_precision=2),
            ],
            sort_keys=True,
            default=str,
        )
        for e in events
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()
