#!/usr/bin/env bash
# Install natcap.invest (the reference Urban Cooling Model the heat analysis is cross-checked
# against) into .venv, with GDAL's Python bindings built against Debian's GDAL (libgdal-dev,
# installed by scripts/install_system_packages.sh). Run by `make setup` once per .venv (a stamp,
# .venv/.invest); run by hand it returns after a ~5 s import check when both already import. The
# first run builds three sdists (GDAL, pygeoprocessing, natcap.invest): measured 13.8 min on 2
# busy cores with an empty pip cache, 2.5 min with pip's wheel cache. The GDAL wheel is kept in
# .venv/wheelhouse (reused when natcap.invest is reinstalled into the same .venv).
#
# Nothing that is already in .venv changes: its current versions are constraints, so a pin of
# natcap.invest that needs other numpy/pandas/shapely/rasterio versions fails here, by name,
# instead of moving them. `pip check` runs at the end.
#
#   scripts/install_invest.sh            install when missing
#   MSIP_INVEST=0 scripts/install_invest.sh   skip (the cross-check tests then skip with the reason)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
PY="$VENV/bin/python"

if [ "${MSIP_INVEST:-1}" = "0" ]; then
  echo "natcap.invest: skipped (MSIP_INVEST=0); tests/processing/heat/test_heat_invest.py will skip"
  exit 0
fi
[ -x "$PY" ] || { echo "error: $PY is missing; run 'make venv' first" >&2; exit 1; }

importable() {
  "$PY" - <<'EOF' 2>/dev/null
from osgeo import gdal, gdal_array  # gdal_array: built with numpy, which pygeoprocessing needs
from natcap.invest.urban_cooling_model import urban_cooling_model
EOF
}
if importable; then exit 0; fi

command -v gdal-config >/dev/null || {
  echo "error: gdal-config not found: GDAL's Python bindings are built against Debian's GDAL;" \
       "install libgdal-dev (scripts/install_system_packages.sh does)" >&2; exit 1; }
GDAL_VERSION="$(gdal-config --version)"
NUMPY_VERSION="$("$PY" -c 'import numpy; print(numpy.__version__)')"
# The natcap.invest pin is the `invest` extra of pyproject.toml (one place); installed by name,
# not as `-e .[invest]`, which would re-install the project itself.
mapfile -t INVEST_REQS < <("$PY" -c 'import tomllib
for r in tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["invest"]: print(r)')
echo "installing natcap.invest with GDAL $GDAL_VERSION bindings into $VENV (first time: several minutes)"

# pip's notes about this machine's extra package indexes are noise here (as in the Makefile).
quiet() { grep -v '^WARNING: Location' || true; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
WHEELHOUSE="$VENV/wheelhouse"
mkdir -p "$WHEELHOUSE"

# 1. GDAL's bindings, built with numpy (else osgeo.gdal_array is silently left out) — in a
#    throwaway venv holding the .venv's numpy version, so the extension matches it.
if ! ls "$WHEELHOUSE"/[Gg][Dd][Aa][Ll]-"$GDAL_VERSION"-*.whl >/dev/null 2>&1; then
  "$PY" -m venv "$WORK/build"
  "$WORK/build/bin/python" -m pip install --quiet "numpy==$NUMPY_VERSION" setuptools wheel 2>&1 | quiet
  "$WORK/build/bin/python" -m pip wheel --quiet --no-deps --no-build-isolation --no-binary GDAL \
    --no-cache-dir -w "$WHEELHOUSE" "GDAL==$GDAL_VERSION" 2>&1 | quiet
fi

# A GDAL of that version already in .venv but without osgeo.gdal_array (built without numpy)
# would satisfy pip as it is: replace it by the wheel.
if ! "$PY" -c 'from osgeo import gdal_array' 2>/dev/null && "$PY" -m pip show GDAL >/dev/null 2>&1; then
  "$PY" -m pip install --quiet --no-deps --force-reinstall "$WHEELHOUSE"/[Gg][Dd][Aa][Ll]-"$GDAL_VERSION"-*.whl 2>&1 | quiet
fi

# 2. natcap.invest and its new dependencies. Runtime constraints: every package already in .venv
#    at its current version, and GDAL = Debian's. Build constraints (pygeoprocessing and
#    natcap.invest are sdists with Cython extensions): the same GDAL wheel and numpy, and
#    Cython < 3.1 (pygeoprocessing 2.4.11's routing.pyx does not compile with Cython ≥ 3.1).
"$PY" -m pip freeze --exclude-editable | grep -E '^[A-Za-z0-9_.-]+==' > "$WORK/runtime.txt"
printf 'GDAL==%s\n' "$GDAL_VERSION" >> "$WORK/runtime.txt"
printf 'GDAL==%s\nnumpy==%s\ncython<3.1\n' "$GDAL_VERSION" "$NUMPY_VERSION" > "$WORK/build.txt"
build_args=()
if "$PY" -m pip install --help | grep -q -- '--build-constraint'; then
  build_args=(--build-constraint "$WORK/build.txt")
else  # older pip passes PIP_CONSTRAINT on to its build environments
  export PIP_CONSTRAINT="$WORK/build.txt"
fi
"$PY" -m pip install --quiet --find-links "$WHEELHOUSE" -c "$WORK/runtime.txt" "${build_args[@]}" \
  "GDAL==$GDAL_VERSION" "${INVEST_REQS[@]}" 2>&1 | quiet
"$PY" -m pip check
importable || { echo "error: natcap.invest was installed but does not import; see: $PY -c" \
                     "'from natcap.invest.urban_cooling_model import urban_cooling_model'" >&2; exit 1; }
echo "natcap.invest $("$PY" -c 'import natcap.invest as n; print(n.__version__)') installed (GDAL $GDAL_VERSION)"
