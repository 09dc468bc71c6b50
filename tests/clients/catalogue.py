"""What the client suite checks, and how it runs the clients: the configured collections by kind,
per-collection xfail markers for known findings, the QGIS batch runner and the command-line tools.

Parametrisation comes from the published configuration (pygeoapi-config.yml), and
`test_served.py` proves the served /collections are exactly these lists, so a collection added to
the configuration (or split in two) is checked by every client without editing the tests.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from msip.api.config import read_yaml

ROOT = Path(__file__).resolve().parents[2]
QGIS_PYTHON = os.environ.get("MSIP_QGIS_PYTHON", "/usr/bin/python3")
QGIS_JOB = Path(__file__).with_name("qgis_job.py")
QGIS_TIMEOUT_S = float(os.environ.get("MSIP_CLIENTS_QGIS_TIMEOUT_S", "600"))
TOOL_TIMEOUT_S = float(os.environ.get("MSIP_CLIENTS_TOOL_TIMEOUT_S", "120"))
KEY_DECIMALS = 7  # as in qgis_job.py: bounding-box keys rounded to 1e-7° ≈ 1 cm


def _resources() -> dict[str, dict[str, Any]]:
    config = read_yaml(ROOT / "pygeoapi-config.yml")
    return {k: v for k, v in config["resources"].items() if v.get("type") == "collection"}


def _providers(kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in _resources().items():
        for provider in resource.get("providers", []):
            if provider.get("type") == kind:
                yield name, provider


def _tile_format(provider: dict[str, Any]) -> str:
    return str((provider.get("format") or {}).get("name", "")).lower()


FEATURES: dict[str, dict[str, Any]] = dict(_providers("feature"))
COVERAGES: dict[str, dict[str, Any]] = dict(_providers("coverage"))
#: OGC API – Records collections (the catalogue): GeoJSON items, so GDAL lists them as vector layers too.
RECORDS: dict[str, dict[str, Any]] = dict(_providers("record"))
MAP_TILES: dict[str, dict[str, Any]] = {n: p for n, p in _providers("tile") if _tile_format(p) != "mvt"}
VECTOR_TILES: dict[str, dict[str, Any]] = {n: p for n, p in _providers("tile") if _tile_format(p) == "mvt"}


def params(ids: Iterable[str], known: dict[str, str]) -> list[Any]:
    """Parameters for `ids`; those in `known` (id → reason) are strict xfails with that reason.

    A reason naming a collection no longer configured (e.g. after a split) is simply unused.
    """
    return [
        pytest.param(i, id=i, marks=pytest.mark.xfail(strict=True, reason=known[i])) if i in known else i
        for i in ids
    ]


def xfail_all(ids: Iterable[str], reason: str) -> dict[str, str]:
    return dict.fromkeys(ids, reason)


def bbox_key(xmin: float, ymin: float, xmax: float, ymax: float) -> str:
    """A feature's key, as qgis_job.py computes it: its lon/lat bounding box rounded to ~1 cm."""
    return ",".join(f"{v:.{KEY_DECIMALS}f}" for v in (xmin, ymin, xmax, ymax))


def geojson_key(geometry: dict[str, Any] | None) -> str | None:
    """`bbox_key` of a GeoJSON geometry (None for a feature without geometry)."""
    if not geometry:
        return None
    xs: list[float] = []
    ys: list[float] = []

    def walk(c: Any) -> None:
        if c and isinstance(c[0], int | float):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        else:
            for part in c:
                walk(part)

    if geometry["type"] == "GeometryCollection":
        for g in geometry["geometries"]:
            walk(g["coordinates"])
    else:
        walk(geometry["coordinates"])
    return bbox_key(min(xs), min(ys), max(xs), max(ys))


def qgis_available() -> tuple[bool, str]:
    """Whether QGIS's Python bindings import under the system interpreter (and why not)."""
    try:
        done = subprocess.run([QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, timeout=120)
    except OSError as exc:
        return False, str(exc)
    return done.returncode == 0, done.stderr.strip()[-500:]


def run_qgis(checks: list[dict[str, Any]], workdir: Path) -> dict[str, Any]:
    """Run a batch of checks in one QGIS process (qgis_job.py); the results by check id."""
    job = workdir / f"qgis-job-{len(list(workdir.glob('qgis-job-*.json')))}.json"
    job.write_text(json.dumps({"checks": checks}))
    # A fresh HOME: QGIS's profile and network cache start empty, so no tile comes from an earlier run.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(workdir), "HOME": str(workdir)}
    for var in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"):  # QGIS runs in the system Python
        env.pop(var, None)
    with job.open() as stdin:
        done = subprocess.run(
            [QGIS_PYTHON, str(QGIS_JOB)], stdin=stdin, capture_output=True, text=True,
            timeout=QGIS_TIMEOUT_S, env=env, cwd=workdir,
        )
    if done.returncode != 0:
        raise RuntimeError(
            f"QGIS job {job} exited with {done.returncode}: {done.stderr.strip()[-2000:]}; "
            f"rerun: {QGIS_PYTHON} {QGIS_JOB} < {job}"
        )
    return dict(json.loads(done.stdout)["results"])


def tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a GDAL command-line tool (never through a shell); its completed process."""
    return subprocess.run(list(args), capture_output=True, text=True, timeout=TOOL_TIMEOUT_S)
