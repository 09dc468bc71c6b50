"""Write a validated advertising rule set into msip.ad_rule_set and its rule tables (inside a load run)."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from psycopg.types.json import Jsonb

from msip.core.copy import copy_rows, ewkb_hex
from msip.core.db import one_row
from msip.core.errors import DatabaseError
from msip.core.runs import LoadRun
from pipelines.ad_rules.model import AdRuleSet


def rule_document(rules: AdRuleSet) -> dict:
    """The rule set as plain JSON (amounts as strings, geometries as WKT), stored for audit."""
    fees = None
    if rules.fees is not None:
        fees = {"area_basis": rules.fees.area_basis, "penalty_multiple": str(rules.fees.penalty_multiple),
                "rates": {str(y): {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(r).items()}
                          for y, r in rules.fees.rates.items()}}
    return {
        "name": rules.name,
        "version": rules.version,
        "in_force_from": rules.in_force_from.isoformat() if rules.in_force_from else None,
        "carrier_types": {code: {"label": rules.labels[code], "mounting": m} for code, m in rules.mounting.items()},
        "zone_names": rules.zone_names or {},
        "zone_rules": list(rules.zone_rules),
        "limits": [asdict(lim) for lim in rules.limits.values()],
        "global_rules": [asdict(r) for r in rules.global_rules],
        "monuments": [{"id": m.source_id, "name": m.name, "wkt": m.geom.wkt} for m in rules.monuments],
        "fees": fees,
    }


def store_rule_set(run: LoadRun, rules: AdRuleSet, sha256: str) -> int:
    """Insert the rule set and every rule row; counts them in the run; returns the rule_set_id."""
    conn = run.conn
    if one_row(conn.execute("SELECT to_regclass('msip.ad_rule_set') IS NULL"))[0]:
        raise DatabaseError("the database has no advertising rule tables yet (migration 073_ad_compliance.sql); "
                            "run `msip db migrate`")
    free = [c for c, m in rules.mounting.items() if m == "free_standing"]
    mounted = [c for c, m in rules.mounting.items() if m == "building_mounted"]
    fees = rules.fees
    rule_set_id = one_row(conn.execute(
        "INSERT INTO msip.ad_rule_set (name, version, in_force_from, source_file, source_sha256, "
        "free_standing_types, building_mounted_types, zone_rules, fee_area_basis, penalty_multiple, document, "
        "load_run_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING rule_set_id",
        (rules.name, rules.version, rules.in_force_from, rules.source_file, sha256, free, mounted,
         list(rules.zone_rules), fees.area_basis if fees else None, fees.penalty_multiple if fees else None,
         Jsonb(rule_document(rules)), run.run_id),
    ))[0]
    limits = [(rule_set_id, z.zone_code, z.carrier_type, z.type_label, z.mounting, z.allowed, z.max_face_area_m2,
               z.max_height_m) for z in rules.limits.values()]
    copy_rows(conn, "msip.ad_zone_rule", ["rule_set_id", "zone_code", "carrier_type", "type_label", "mounting",
                                          "allowed", "max_face_area_m2", "max_height_m"], limits)
    globals_ = []
    for r in rules.global_rules:
        params = {"road_classes": list(r.road_classes), "min_legs": r.min_legs} \
            if r.check == "min_distance_intersection" else {}
        if r.check == "min_distance_park":
            params = {"public_only": r.public_only, "min_area_m2": r.min_area_m2}
        per_class = r.by_road_class or (("", r.min_distance_m),)
        for road_class, distance in per_class:
            globals_.append((rule_set_id, r.code, r.check, r.applies_to, list(r.zones) if r.zones else None,
                             road_class, distance, list(r.forbidden_zones) or None, Jsonb(params),
                             r.description or None))
    copy_rows(conn, "msip.ad_global_rule", ["rule_set_id", "rule_code", "check_kind", "applies_to", "zones",
                                            "road_class", "min_distance_m", "forbidden_zones", "params",
                                            "description"], globals_)
    rates = [(rule_set_id, r.year, r.fixed_pln_per_day, r.variable_pln_per_m2_day, r.max_fixed_pln_per_day,
              r.max_variable_pln_per_m2_day, r.maxima_source) for r in (fees.rates.values() if fees else [])]
    copy_rows(conn, "msip.ad_fee_rate", ["rule_set_id", "year", "fixed_pln_per_day", "variable_pln_per_m2_day",
                                         "max_fixed_pln_per_day", "max_variable_pln_per_m2_day", "maxima_source"],
              rates)
    monuments = [(rule_set_id, m.kind, m.source_id, m.name, h)
                 for m, h in zip(rules.monuments, ewkb_hex([m.geom for m in rules.monuments]), strict=True)]
    copy_rows(conn, "msip.ad_protected_object", ["rule_set_id", "kind", "source_id", "name", "geom"], monuments)
    n = len(limits) + len(globals_) + len(rates) + len(monuments)
    run.count_in(n)
    run.loaded(inserted=n)
    run.note(f"rule set {rules.name!r} (id {rule_set_id}): {len(limits)} zone × type limits, {len(globals_)} "
             f"global rule rows, {len(rates)} fee-rate years, {len(monuments)} monuments")
    if fees is None:
        run.note("no fee rates in the file: the compliance analysis will leave fees empty; add fees.rates or "
                 "load with --fee-rates FILE")
    zones = sorted({z for z, _ in rules.limits})
    if len(zones) < 4:
        run.note(f"rules only for zones {', '.join(zones)}: carriers in other zones will be 'not_assessed'")
    return rule_set_id
