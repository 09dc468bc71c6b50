"""The load plan read from a sample world's manifest: every epoch and kind, in dependency order;
and the demo's reuse stamp of a generated world."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from msip.cli.commands.sample import STAMP_NAME, _stamp_matches, generator_stamp
from msip.sample_world.load import LOADERS, NOT_LOADED, load_plan
from msip.sample_world.manifest import ManifestNotFoundError

DISTRICT_EPOCHS = ["2019-06-15", "2022-06-15", "2025-06-15"]


def _write_manifest(root: Path, files: list[tuple[str, str, str | None]], epochs: list[str]) -> Path:
    """A manifest listing `files` as (path, kind, epoch); each file is written with a few bytes."""
    rows = []
    for rel, kind, epoch in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"x" * 5)
        rows.append({"path": rel, "kind": kind, "epoch": epoch, "bytes": 5, "sha256": "0"})
    (root / "manifest.json").write_text(json.dumps({"epochs": epochs, "files": rows}), encoding="utf-8")
    return root


def _district_files() -> list[tuple[str, str, str | None]]:
    """The kinds and paths the district generator lists (two tiles per raster epoch instead of 120)."""
    files: list[tuple[str, str, str | None]] = [
        ("addresses/punkty_adresowe_prg.gml", "addresses", None),
        ("ads/strefy_krajobrazowe.gpkg", "landscape_zones", None),
        ("ads/zasady_reklamowe.yaml", "ad_rules", None),
        ("base/parks.gpkg", "green_spaces", None),
        ("base/railway.gpkg", "railways", None),
        ("base/streets.gpkg", "streets", None),
        ("geosites/geostanowiska.geojson", "geosites", None),
        ("zoning/plan_miejscowy_1.gml", "zoning_plan", None),
        ("zoning/plan_miejscowy_2.gml", "zoning_plan", None),
        ("zoning/plan_ogolny.gml", "zoning_plan_general", None),
        ("truth/changes.geojson", "truth_changes", None),
    ]
    for i, epoch in enumerate(DISTRICT_EPOCHS):
        suffix = "" if i == 0 else f"_{epoch}"
        files += [
            (f"base/buildings{suffix}.gpkg", "buildings", epoch),
            (f"ads/nosniki_reklamowe{suffix}.csv", "ad_inventory", epoch),
            (f"trees/inwentaryzacja_drzew_{epoch}.csv", "tree_inventory", epoch),
            (f"truth/dtm_{epoch}.tif", "truth_dtm", epoch),
        ]
        for rc in ("0_0", "0_1"):
            files += [(f"orthophoto/{epoch}/ortho_{rc}.tif", "orthophoto", epoch),
                      (f"lidar/{epoch}/classified/lidar_{rc}.laz", "lidar_classified", epoch)]
            if i == 0:
                files.append((f"lidar/{epoch}/unclassified/lidar_{rc}.laz", "lidar_unclassified", epoch))
    return files


def test_small_world_plan_is_the_one_it_always_loaded(sample_dir: Path) -> None:
    plan = load_plan(sample_dir)
    got = [(s.label, s.loader, [str(p.relative_to(sample_dir)) for p in s.paths], s.epoch) for s in plan.steps]
    e1, e2 = date(2024, 6, 15), date(2025, 6, 15)
    assert got == [
        ("buildings 2024", "buildings", ["base/buildings.gpkg"], e1),
        ("buildings 2025", "buildings", ["base/buildings_2025-06-15.gpkg"], e2),
        ("green spaces", "green_spaces", ["base/parks.gpkg"], e1),
        ("walking network", "walk_network", ["base/streets.gpkg"], e1),
        ("zoning plan", "zoning", ["zoning/plan_miejscowy.gml"], None),
        ("trees 2024", "trees", ["trees/inwentaryzacja_drzew_2024-06-15.csv"], e1),
        ("trees 2025", "trees", ["trees/inwentaryzacja_drzew_2025-06-15.csv"], e2),
        ("landscape zones", "landscape_zones", ["ads/strefy_krajobrazowe.gpkg"], e1),
        ("ads 2024", "ads", ["ads/nosniki_reklamowe.csv"], e1),
        ("ads 2025", "ads", ["ads/nosniki_reklamowe_2025-06-15.csv"], e2),
        ("orthophoto 2024", "orthophoto", ["orthophoto/2024-06-15"], e1),
        ("orthophoto 2025", "orthophoto", ["orthophoto/2025-06-15"], e2),
        ("lidar 2024", "lidar", ["lidar/2024-06-15/classified"], e1),
        ("lidar 2025", "lidar", ["lidar/2025-06-15/classified"], e2),
    ]
    assert plan.epochs == [e1, e2]
    assert plan.ad_rules == sample_dir / "ads/zasady_reklamowe.yaml"
    kinds = {f["kind"] for f in json.loads((sample_dir / "manifest.json").read_text())["files"]}
    assert all(k in LOADERS or k in NOT_LOADED or k.startswith("truth") for k in kinds), kinds


def test_district_plan_loads_every_epoch_and_kind(tmp_path: Path) -> None:
    plan = load_plan(_write_manifest(tmp_path, _district_files(), DISTRICT_EPOCHS))
    labels = [s.label for s in plan.steps]
    assert labels == [
        "buildings 2019", "buildings 2022", "buildings 2025", "green spaces", "walking network",
        "plan ogólny", "zoning plan plan_miejscowy_1.gml", "zoning plan plan_miejscowy_2.gml",
        "trees 2019", "trees 2022", "trees 2025", "landscape zones", "ads 2019", "ads 2022", "ads 2025",
        "orthophoto 2019", "orthophoto 2022", "orthophoto 2025", "lidar 2019", "lidar 2022", "lidar 2025",
        "addresses", "geosites",
    ]
    by_label = {s.label: s for s in plan.steps}
    assert by_label["lidar 2022"].paths == (tmp_path / "lidar/2022-06-15/classified",)
    assert by_label["orthophoto 2025"].epoch == date(2025, 6, 15)
    assert by_label["green spaces"].epoch == date(2019, 6, 15)  # undated snapshot layers: the first epoch
    assert by_label["addresses"].loader == "addresses" and by_label["addresses"].epoch is None
    assert plan.epochs == [date.fromisoformat(e) for e in DISTRICT_EPOCHS]
    assert by_label["geosites"].paths == (tmp_path / "geosites/geostanowiska.geojson",)
    assert plan.skipped == ["lidar_unclassified (2 files: the same survey as the classified LiDAR)",
                            "railways (1 file: no railway loader yet)"]


def test_district_heat_runs_use_kielces_measured_heat_island(tmp_path: Path, sample_dir: Path) -> None:
    """The demo's heat-island runs on the district take UHI_max from Kielce's measured urban heat island
    (msip/sample_world/world/district/climate.py); other worlds keep every analysis default."""
    root = _write_manifest(tmp_path, _district_files(), DISTRICT_EPOCHS)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    (root / "manifest.json").write_text(json.dumps({**manifest, "size": "district"}), encoding="utf-8")
    district = load_plan(root)
    assert district.analysis_params == {"heat-island": {"uhi_max_c": 8.3}}
    assert load_plan(sample_dir).analysis_params == {}


def test_a_kind_without_a_loader_is_reported_not_dropped(tmp_path: Path) -> None:
    plan = load_plan(_write_manifest(tmp_path, [("base/buildings.gpkg", "buildings", "2024-06-15"),
                                                ("x/bus_stops.gpkg", "bus_stops", None)], ["2024-06-15"]))
    assert [s.label for s in plan.steps] == ["buildings 2024"]
    assert plan.skipped == ["bus_stops (1 file: no loader for this kind)"]


def test_no_manifest_is_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ManifestNotFoundError, match="generate the sample world first"):
        load_plan(tmp_path)


def test_a_generated_world_is_reused_only_with_its_stamp_and_every_file(tmp_path: Path) -> None:
    root = _write_manifest(tmp_path, _district_files(), DISTRICT_EPOCHS)
    stamp = generator_stamp("district", 42)
    assert stamp != generator_stamp("district", 43) and stamp != generator_stamp("small", 42)
    assert not _stamp_matches(root, stamp)  # no stamp: made by something else, regenerate
    (root / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")
    assert _stamp_matches(root, stamp)
    assert not _stamp_matches(root, generator_stamp("district", 43))
    (root / "lidar/2022-06-15/classified/lidar_0_1.laz").write_bytes(b"xx")  # a truncated tile
    assert not _stamp_matches(root, stamp)
    (root / "lidar/2022-06-15/classified/lidar_0_1.laz").unlink()
    assert not _stamp_matches(root, stamp)
