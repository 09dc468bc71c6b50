"""The advertising rules file: parsed and validated (bad files refused with file, key and fix), loaded into tables."""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
import yaml

from msip.core.errors import SourceReadError, ValidationError
from pipelines.ad_rules.load import load_ad_rules, read_rules
from tests.support.db import count
from tests.support.toys.ad_world import TOY_RULES

FEES = {
    "rates": {2024: {"fixed_pln_per_day": 2.0, "variable_pln_per_m2_day": 0.15},
              2025: {"fixed_pln_per_day": "2,10", "variable_pln_per_m2_day": 0.16}},
    "statutory_maxima": {2024: {"fixed_pln_per_day": 3.0, "variable_pln_per_m2_day": 0.25},
                         2025: {"fixed_pln_per_day": 3.1, "variable_pln_per_m2_day": 0.26}},
}


@pytest.fixture
def sample_rules(sample_dir: Path) -> dict:
    """The sample world's rules document plus a fees section."""
    doc = yaml.safe_load((sample_dir / "ads/zasady_reklamowe.yaml").read_text(encoding="utf-8"))
    return doc | {"fees": copy.deepcopy(FEES)}


def write(folder: Path, doc: dict, name: str = "zasady.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_sample_world_rules_are_read_with_carrier_type_codes(sample_dir):
    rules, files = read_rules(sample_dir / "ads/zasady_reklamowe.yaml")
    assert rules.labels == {"board": "wolnostojący", "led_screen": "ekran LED", "pylon": "pylon",
                            "column": "słup ogłoszeniowy", "banner": "baner na budynku", "mural": "mural"}
    assert {c for c, m in rules.mounting.items() if m == "free_standing"} == {"board", "led_screen", "pylon", "column"}
    assert len(rules.limits) == 24 and rules.limits[("A", "column")].max_face_area_m2 == 6.0
    assert not rules.limits[("A", "board")].allowed
    assert [r.code for r in rules.global_rules] == ["MIN_SPACING_FREESTANDING", "MIN_DISTANCE_INTERSECTION",
                                                    "MIN_DISTANCE_TREE", "LED_IN_ZONE_A"]
    assert rules.fees is None and files == [sample_dir / "ads/zasady_reklamowe.yaml"]


def test_fees_are_read_with_the_maxima_they_are_capped_at(tmp_path, sample_rules):
    rules, _ = read_rules(write(tmp_path, sample_rules))
    rate = rules.fees.rates[2025]
    assert (rate.fixed_pln_per_day, rate.variable_pln_per_m2_day, rate.max_fixed_pln_per_day) == \
        (Decimal("2.10"), Decimal("0.16"), Decimal("3.1"))
    assert rules.fees.penalty_multiple == Decimal(40) and rules.fees.area_basis == "all_faces"


def _set(doc: dict, dotted: str, value) -> None:
    keys = dotted.split(".")
    for k in keys[:-1]:
        doc = doc.setdefault(int(k) if k.isdigit() else k, {})
    last = int(keys[-1]) if keys[-1].isdigit() else keys[-1]
    if value is _DELETE:
        del doc[last]
    else:
        doc[last] = value


_DELETE = object()
BAD = {
    "unknown zone code": ("zones.E", {"carriers": {}},
                          r"zasady.yaml: zones.E: unknown landscape zone code 'E'; the codes are A, B, C, D"),
    "negative area": ("zones.B.carriers.pylon.max_face_area_m2", -6,
                      r"zasady.yaml: zones.B.carriers.pylon.max_face_area_m2 = -6 must be > 0 \(m² of one face\)"),
    "missing rate": ("fees.rates.2025.variable_pln_per_m2_day", _DELETE,
                     r"zasady.yaml: fees.rates.2025.variable_pln_per_m2_day is missing \(PLN per m² per day"),
    "rate above the maximum": ("fees.rates.2025.fixed_pln_per_day", 3.5,
                               r"fees.rates.2025.fixed_pln_per_day = 3.5 exceeds the statutory maximum 3.1 for 2025"),
    "year without a known maximum": ("fees.rates.2026", {"fixed_pln_per_day": 1, "variable_pln_per_m2_day": 0.1},
                                     r"fees.rates.2026: no statutory maximum known for 2026; "
                                     r"add fees.statutory_maxima"),
    "maximum contradicting the published one": (
        "fees.statutory_maxima.2021", {"fixed_pln_per_day": 3, "variable_pln_per_m2_day": 0.24},
        r"fees.statutory_maxima.2021 = \(3, 0.24\) contradicts the published maxima \(2.70, 0.24\)"),
    "negative rate": ("fees.rates.2024.variable_pln_per_m2_day", -0.1, r"must be a non-negative amount"),
    "bad area basis": ("fees.area_basis", "both_sides", r"fees.area_basis = 'both_sides' is not one of all_faces"),
    "unknown rule": ("global_rules.MIN_DISTANCE_KIOSK", {"min_distance_m": 3},
                     r"global_rules.MIN_DISTANCE_KIOSK: unknown rule; name what it checks with check: one of"),
    "misspelt parameter": ("global_rules.MIN_DISTANCE_TREE.min_distnce_m", 5,
                           r"global_rules.MIN_DISTANCE_TREE: unknown key\(s\) \['min_distnce_m'\]"),
    "missing parameter": ("global_rules.MIN_DISTANCE_TREE.min_distance_m", _DELETE,
                          r"global_rules.MIN_DISTANCE_TREE.min_distance_m is missing"),
    "unknown LED zone": ("global_rules.LED_IN_ZONE_A.led_forbidden_zones", ["A", "E"],
                         r"led_forbidden_zones: unknown landscape zone code 'E'"),
    "bad applies_to": ("global_rules.MIN_DISTANCE_TREE.applies_to", "billboards",
                       r"applies_to = 'billboards' is not one of free_standing, building_mounted, all"),
    "type missing in a zone": ("zones.C.carriers.pylon", _DELETE,
                               r"zones.C.carriers has no entry for 'pylon'; add each with allowed: false"),
    "type in no list": ("zones.C.carriers.balon reklamowy", {"allowed": True},
                        r"carrier type 'balon reklamowy' is in neither free_standing_types nor building_mounted_types"),
    "not a boolean": ("zones.A.carriers.mural.allowed", "maybe",
                      r"zones.A.carriers.mural.allowed = 'maybe' is not true/false"),
    "unknown top-level key": ("zonez", {}, r"unknown top-level key\(s\) \['zonez'\]"),
    "foreign CRS": ("crs", "EPSG:2176", r"crs = 'EPSG:2176': rule coordinates and distances are EPSG:2180"),
    "two wordings of one type": ("free_standing_types", ["wolnostojący", "tablica", "ekran LED", "pylon",
                                                         "słup ogłoszeniowy"],
                                 r"'tablica' and 'wolnostojący' both mean carrier type 'board'"),
    "monument rule without monuments": ("global_rules.MIN_DISTANCE_MONUMENT", {"min_distance_m": 20},
                                        r"a min_distance_monument rule needs monuments"),
    "monument outside Kielce": ("monuments", [{"id": "A.1", "x_2180": 335000, "y_2180": 614000}],
                                r"monuments\[1\]: the position point .* fits with the axes swapped"),
}


@pytest.mark.parametrize(("key", "value", "match"), BAD.values(), ids=BAD.keys())
def test_bad_rules_files_are_refused_with_file_key_and_fix(tmp_path, sample_rules, key, value, match):
    _set(sample_rules, key, value)
    with pytest.raises(ValidationError, match=match):
        read_rules(write(tmp_path, sample_rules))


def test_broken_yaml_is_refused_with_the_line(tmp_path):
    path = tmp_path / "zasady.yaml"
    path.write_text("zones:\n  A:\n    carriers: {mural: {allowed: true\n", encoding="utf-8")
    with pytest.raises(SourceReadError, match=r"zasady.yaml: not valid YAML at line \d+"):
        read_rules(path)


def test_zone_table_and_fee_rates_may_come_as_csv_files(tmp_path, sample_rules):
    inline, _ = read_rules(write(tmp_path, sample_rules, "inline.yaml"))
    lines = ["strefa;typ_nosnika;dopuszczalny;maks_powierzchnia_m2;maks_wysokosc_m"]
    def fmt(v: float | None) -> str:
        return "" if v is None else f"{v:g}".replace(".", ",")

    for (zone, _code), lim in inline.limits.items():
        lines.append(f"{zone};{lim.type_label};{'tak' if lim.allowed else 'nie'};{fmt(lim.max_face_area_m2)};"
                     f"{fmt(lim.max_height_m)}")
    (tmp_path / "strefy.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "stawki.csv").write_text("rok;stawka_stala;stawka_zmienna\n2024;2,00;0,15\n2025;2,10;0,16\n",
                                         encoding="utf-8")
    doc = {k: v for k, v in sample_rules.items() if k != "zones"} | {"zone_table": "strefy.csv"}
    doc["fees"] = doc["fees"] | {"rates": "stawki.csv"}
    rules, files = read_rules(write(tmp_path, doc))
    assert rules.limits == inline.limits and rules.fees == inline.fees
    assert [f.name for f in files] == ["zasady.yaml", "strefy.csv", "stawki.csv"]


def test_a_rate_missing_in_the_csv_names_the_line(tmp_path, sample_rules):
    (tmp_path / "stawki.csv").write_text("year;fixed_pln_per_day;variable_pln_per_m2_day\n2024;2.00;\n",
                                         encoding="utf-8")
    sample_rules["fees"]["rates"] = "stawki.csv"
    with pytest.raises(ValidationError, match=r"stawki.csv line 2 \(year 2024\).variable_pln_per_m2_day is missing"):
        read_rules(write(tmp_path, sample_rules))


@pytest.mark.db
def test_loading_fills_the_tables_once_and_reads_back_identically(empty_db, tmp_path):
    from processing.advertising.inputs import rule_set_from_db

    doc = copy.deepcopy(TOY_RULES) | {"fees": copy.deepcopy(FEES), "name": "uchwala_testowa"}
    path = write(tmp_path, doc)
    report = load_ad_rules(path, url=empty_db)
    assert report.status == "succeeded" and report.rows_in == report.rows_loaded == 6 + 9 + 2 + 1
    assert load_ad_rules(path, url=empty_db).status == "unchanged"
    assert count(empty_db, "SELECT count(*) FROM msip.ad_rule_set") == 1
    assert count(empty_db, "SELECT count(*) FROM msip.ad_global_rule WHERE rule_code = 'MIN_DISTANCE_ROAD_EDGE'") == 2
    parsed, _ = read_rules(path)
    with psycopg.connect(empty_db) as conn:
        _, stored = rule_set_from_db(conn)
    for field in ("name", "mounting", "labels", "zone_rules", "limits", "fees", "monuments"):
        assert getattr(stored, field) == getattr(parsed, field), field
    assert sorted(stored.global_rules, key=lambda r: r.code) == sorted(parsed.global_rules, key=lambda r: r.code)


@pytest.mark.db
def test_a_refused_file_writes_nothing_and_the_cli_says_why_in_one_line(empty_db, tmp_path, sample_rules,
                                                                        monkeypatch, capsys):
    from msip.cli import main

    sample_rules["zones"]["B"]["carriers"]["mural"]["max_height_m"] = -18
    path = write(tmp_path, sample_rules)
    monkeypatch.setenv("MSIP_DATABASE_URL", empty_db)
    with pytest.raises(SystemExit, match="1"):
        main(["load", "ad-rules", str(path)])
    err = capsys.readouterr().err
    assert err.startswith("error: zasady.yaml: zones.B.carriers.mural.max_height_m = -18 must be > 0")
    assert count(empty_db, "SELECT count(*) FROM msip.ad_rule_set") == 0
    sample_rules["zones"]["B"]["carriers"]["mural"]["max_height_m"] = 18
    fees = tmp_path / "stawki.csv"
    fees.write_text("year;fixed_pln_per_day;variable_pln_per_m2_day\n2025;2.10;0.16\n", encoding="utf-8")
    del sample_rules["fees"]["rates"]
    main(["load", "ad-rules", str(write(tmp_path, sample_rules)), "--fee-rates", str(fees)])
    assert "rule set 'zasady'" in capsys.readouterr().out
    assert count(empty_db, "SELECT count(*) FROM msip.ad_fee_rate WHERE year = 2025") == 1
