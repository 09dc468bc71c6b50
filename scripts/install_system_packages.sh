#!/usr/bin/env bash
# Install the Debian packages MSIP needs, only those missing (fast when all are present).
# The PostgreSQL major version is the one apt offers with PostGIS 3, pgRouting and pointcloud
# (15 on Debian 12, 17 on Debian 13): postgresql-common's default (what the `postgresql`
# package depends on), else the highest offered; a complete set already installed is kept;
# MSIP_PG_MAJOR=N forces one. msip finds that version's binaries (msip/core/cluster.py).
# Uses sudo when not root. The system PostgreSQL service is not used: MSIP runs its own cluster.
#
#   scripts/install_system_packages.sh                  install what is missing
#   scripts/install_system_packages.sh --print-packages print the package names, install nothing
#   scripts/install_system_packages.sh --pick-pg-major [DEFAULT] < names
#       print the major version chosen from package names on stdin (apt-cache pkgnames style)
set -euo pipefail

# The server, its extensions: "postgresql-N" plus these suffixes must all be offered.
PG_SUFFIXES=(postgis-3 pgrouting pointcloud)

# pick_pg_major [DEFAULT] < package names, one a line. Prints the major version N for which
# postgresql-N and every postgresql-N-<suffix> are listed: DEFAULT when it is complete, else the
# highest complete one; prints nothing (status 1) when no version is complete.
pick_pg_major() {
  local default="${1:-}" names complete=() n ok s
  names="$(sort -u)"
  for n in $(grep -oE '^postgresql-[0-9]+$' <<<"$names" | cut -d- -f2 | sort -rn); do
    ok=1
    for s in "${PG_SUFFIXES[@]}"; do
      grep -qxF "postgresql-$n-$s" <<<"$names" || { ok=0; break; }
    done
    [ "$ok" -eq 1 ] && complete+=("$n")
  done
  [ ${#complete[@]} -gt 0 ] || return 1
  for n in "${complete[@]}"; do
    if [ "$n" = "$default" ]; then echo "$n"; return 0; fi
  done
  echo "${complete[0]}"
}

if [ "${1:-}" = "--pick-pg-major" ]; then
  pick_pg_major "${2:-}"
  exit $?
fi

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

installed_names() {
  dpkg-query -W -f='${Package} ${Status}\n' 'postgresql-*' 2>/dev/null |
    awk '$NF == "installed" {print $1}' || true
}

offered_default() {
  # postgresql-common's default: the `postgresql` package depends on postgresql-<default>.
  apt-cache depends postgresql 2>/dev/null |
    sed -nE 's/^ *Depends: postgresql-([0-9]+)$/\1/p' | head -n1
}

choose_pg_major() {
  if [ -n "${MSIP_PG_MAJOR:-}" ]; then echo "$MSIP_PG_MAJOR"; return; fi
  # A complete set already installed is kept (an existing cluster needs its own version).
  installed_names | pick_pg_major && return
  if [ -z "$(apt-cache pkgnames postgresql- 2>/dev/null | head -n1)" ]; then
    [ "$(id -u)" -eq 0 ] || [ -n "$SUDO" ] || {
      echo "error: apt has no package lists and there is no sudo; run 'apt-get update' as root" >&2; exit 1; }
    $SUDO apt-get update -qq >&2
  fi
  apt-cache pkgnames postgresql- | pick_pg_major "$(offered_default)" || {
    echo "error: apt offers no PostgreSQL version N with postgresql-N and postgresql-N-{$(IFS=,; echo "${PG_SUFFIXES[*]}")}" \
         "(looked with 'apt-cache pkgnames postgresql-'); enable Debian's main archive or set MSIP_PG_MAJOR=N" >&2
    exit 1
  }
}

PG_MAJOR="$(choose_pg_major)"
PACKAGES=(postgresql-"$PG_MAJOR")
for s in "${PG_SUFFIXES[@]}"; do PACKAGES+=(postgresql-"$PG_MAJOR"-"$s"); done
PACKAGES+=(
  gdal-bin python3-venv python3-dev build-essential
  libgdal-dev         # GDAL's Python bindings for natcap.invest, built by scripts/install_invest.sh
  chromium            # the web map's browser tests (driven by Playwright, no browser download)
  python3-qgis qgis-providers  # the real-client tests (tests/clients): QGIS 3.x under /usr/bin/python3
  curl jq             # the commands of docs/operations.md (restore drill, metrics)
  fonts-dejavu-core   # DejaVu Sans embedded in the PDF report (Polish diacritics)
)
# Node.js + npm build the web map's assets (MapLibre GL JS from the npm registry). A Node.js
# from elsewhere (e.g. NodeSource, which bundles npm) is used when present.
if ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

if [ "${1:-}" = "--print-packages" ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
  echo "error: missing Debian packages (${missing[*]}) and no sudo; install them as root" >&2; exit 1
fi
echo "installing Debian packages (PostgreSQL $PG_MAJOR): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Installing postgresql-N would start the system cluster on port 5432; MSIP does not need it.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Debian packages installed"
