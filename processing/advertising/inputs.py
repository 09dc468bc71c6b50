"""Read what the advertising-compliance analysis needs from PostGIS: the rule set, carriers and their surroundings.

Carriers and inventory trees are taken as they were on the assessment date (valid_from ≤ d <
valid_to); the street network and green spaces from their latest epoch on or before d (else
their earliest, noted); the landscape zones as currently in force (they are part of the
resolution, like the rule set).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import psycopg
import shapely
from psycopg import sql

from msip.core.db import one_row
from msip.core.errors import ValidationError
from pipelines.ad_rules.fees import FeeRate, FeeSchedule
from pipelines.ad_rules.model import AdRuleSet, GlobalRule, ProtectedObject, ZoneLimit
from processing.advertising.checks import Carrier, Feature, Surroundings
from processing.epochs import pick_epoch


def rule_set_from_db(conn: psycopg.Connection, name: str | None = None) -> tuple[int, AdRuleSet]:
    """(rule_set_id, rule set) of the latest loaded rule set, or the latest one called `name`."""
    row = conn.execute(
        "SELECT rule_set_id, name, version, in_force_from, source_file, zone_rules, fee_area_basis, "
        "penalty_multiple, document->'zone_names' FROM msip.ad_rule_set WHERE %(n)s::text IS NULL OR name = %(n)s "
        "ORDER BY rule_set_id DESC LIMIT 1", {"n": name}).fetchone()
    if row is None:
        loaded = [r[0] for r in conn.execute("SELECT DISTINCT name FROM msip.ad_rule_set ORDER BY 1")]
        if name and loaded:
            raise ValidationError(f"no advertising rule set called {name!r}; loaded rule sets: {', '.join(loaded)}")
        raise ValidationError("no advertising rules are loaded; load the city's rules file first: "
                              "msip load ad-rules zasady_reklamowe.yaml")
    rid, rname, version, in_force, source, zone_rules, basis, multiple, zone_names = row
    limits, mounting, labels = {}, {}, {}
    for z in conn.execute("SELECT zone_code, carrier_type, type_label, mounting, allowed, max_face_area_m2, "
                          "max_height_m FROM msip.ad_zone_rule WHERE rule_set_id = %s ORDER BY 1, 2", (rid,)):
        limits[(z[0], z[1])] = ZoneLimit(*z)
        mounting[z[1]], labels[z[1]] = z[3], z[2]
    free, mounted = one_row(conn.execute("SELECT free_standing_types, building_mounted_types FROM msip.ad_rule_set "
                                         "WHERE rule_set_id = %s", (rid,)))
    for kind, types in (("free_standing", free), ("building_mounted", mounted)):
        for t in types:
            mounting.setdefault(t, kind)
            labels.setdefault(t, t)
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for g in conn.execute("SELECT rule_code, check_kind, applies_to, zones, road_class, min_distance_m, "
                          "forbidden_zones, params, description FROM msip.ad_global_rule WHERE rule_set_id = %s "
                          "ORDER BY rule_code, road_class", (rid,)):
        grouped[g[0]].append(g)
    global_rules = []
    for code, rows in grouped.items():
        _, check, applies, zones, _, distance, forbidden, params, description = rows[0]
        extra: dict = {}
        if check == "min_distance_road_edge":
            extra["by_road_class"] = tuple((r[4], r[5]) for r in rows)
            distance = None
        if check == "min_distance_intersection":
            extra |= {"road_classes": tuple(params["road_classes"]), "min_legs": int(params["min_legs"])}
        if check == "min_distance_park":
            extra |= {"public_only": bool(params["public_only"]), "min_area_m2": float(params["min_area_m2"])}
        global_rules.append(GlobalRule(code, check, applies, tuple(zones) if zones else None, distance,
                                       forbidden_zones=tuple(forbidden or ()), description=description or "", **extra))
    rates = {r[0]: FeeRate(*r) for r in conn.execute(
        "SELECT year, fixed_pln_per_day, variable_pln_per_m2_day, max_fixed_pln_per_day, "
        "max_variable_pln_per_m2_day, maxima_source FROM msip.ad_fee_rate WHERE rule_set_id = %s ORDER BY year",
        (rid,))}
    fees = FeeSchedule(rates, basis, multiple) if basis is not None else None
    monuments = tuple(ProtectedObject(k, s, n, shapely.from_wkb(bytes(g))) for k, s, n, g in conn.execute(
        "SELECT kind, source_id, name, ST_AsBinary(geom) FROM msip.ad_protected_object WHERE rule_set_id = %s "
        "ORDER BY source_id", (rid,)))
    rules = AdRuleSet(rname, version, in_force, source, mounting, labels, tuple(zone_rules), limits,
                      tuple(global_rules), monuments, fees, dict(zone_names or {}))
    return rid, rules


def assessment_date(conn: psycopg.Connection, epoch: date | None, dataset: str | None = None) -> date:
    """The date carriers are taken at: `epoch`, or the latest inventory epoch; refused when no carrier stood then."""
    epochs = [r[0] for r in conn.execute(
        "SELECT DISTINCT valid_from FROM msip.advertisement WHERE %(d)s::text IS NULL OR dataset = %(d)s "
        "ORDER BY 1", {"d": dataset})]
    if not epochs:
        where = f" in dataset {dataset!r}" if dataset else ""
        raise ValidationError(f"no advertising carriers are loaded{where}; load the inventory first: "
                              "msip load ads nosniki_reklamowe.csv --epoch YYYY-MM-DD")
    if epoch is None:
        return epochs[-1]
    if epoch < epochs[0]:
        raise ValidationError(f"no advertising carriers were recorded by {epoch}; the inventory epochs are "
                              f"{', '.join(map(str, epochs))} — choose one of them or a later date")
    return epoch


def carriers_at(conn: psycopg.Connection, when: date, dataset: str | None = None) -> list[Carrier]:
    """Carrier versions valid on `when`, ordered by dataset and source id."""
    rows = conn.execute(
        "SELECT ad_id, source_id, dataset, carrier_type, faces, face_area_m2, height_m, illuminated, led, "
        "installed_on, ST_X(geom), ST_Y(geom), carrier_type_source FROM msip.advertisement "
        "WHERE valid_from <= %(d)s AND (valid_to IS NULL OR valid_to > %(d)s) "
        "AND (%(ds)s::text IS NULL OR dataset = %(ds)s) ORDER BY dataset, source_id", {"d": when, "ds": dataset})
    return [Carrier(*r) for r in rows]


def _layer_epoch(conn: psycopg.Connection, table: str, when: date) -> tuple[date | None, str | None]:
    """Epoch of a snapshot layer to use on `when`: the latest ≤ when, else the earliest (with a note)."""
    query = sql.SQL("SELECT DISTINCT epoch FROM {}").format(sql.Identifier("msip", table))
    chosen, fallback = pick_epoch([r[0] for r in conn.execute(query)], when)
    return chosen, fallback and f"{table} has no epoch on or before {when}; used its earliest, {chosen}"


def surroundings(conn: psycopg.Connection, rules: AdRuleSet, when: date) -> tuple[Surroundings, list[str]]:
    """Zones, trees, street graph and parks the rules measure against; plus notes on the epochs used."""
    notes: list[str] = []
    checks = {r.check for r in rules.global_rules}
    zones = [(code, shapely.from_wkb(bytes(g))) for code, g in conn.execute(
        "SELECT zone_code, ST_AsBinary(geom) FROM msip.landscape_zone_current ORDER BY zone_code, zone_id")]
    around = Surroundings(zones=zones)
    if "min_distance_tree" in checks:
        around.trees = [Feature(s, shapely.from_wkb(bytes(g))) for s, g in conn.execute(
            "SELECT source_id, ST_AsBinary(geom) FROM msip.tree WHERE valid_from <= %(d)s "
            "AND (valid_to IS NULL OR valid_to > %(d)s) ORDER BY dataset, source_id", {"d": when})]
    if checks & {"min_distance_intersection", "min_distance_road_edge"}:
        epoch, note = _layer_epoch(conn, "walk_edge", when)
        notes += [note] if note else []
        edges = conn.execute(
            "SELECT e.source_id, ST_AsBinary(e.geom), e.road_class, e.width_m, e.source, e.target "
            "FROM msip.walk_edge e WHERE e.epoch IS NOT DISTINCT FROM %s ORDER BY e.id", (epoch,)).fetchall()
        around.streets = [Feature(s, shapely.from_wkb(bytes(g)), road_class=c, width_m=w) for s, g, c, w, _, _ in edges]
        around.street_ends = [(a, b) for *_, a, b in edges]
        around.vertices = {v: (x, y) for v, x, y in conn.execute(
            "SELECT id, ST_X(geom), ST_Y(geom) FROM msip.walk_vertex WHERE epoch IS NOT DISTINCT FROM %s", (epoch,))}
    if "min_distance_park" in checks:
        epoch, note = _layer_epoch(conn, "green_space", when)
        notes += [note] if note else []
        around.parks = [
            Feature(s, shapely.from_wkb(bytes(g)), area_m2=a, public_access=p) for s, g, a, p in conn.execute(
                "SELECT source_id, ST_AsBinary(geom), area_m2, public_access FROM msip.green_space "
                "WHERE epoch IS NOT DISTINCT FROM %s ORDER BY source_id", (epoch,))
        ]
    if not zones:
        notes.append("no landscape zones are loaded: zone rules cannot be checked (load them with "
                     "msip load ads --landscape-zones strefy.gpkg)")
    return around, notes
