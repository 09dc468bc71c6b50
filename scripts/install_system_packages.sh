#!/usr/bin/env bash
# Install the Debian 12 packages MSIP needs, only those missing (fast when all are present).
# Uses sudo when not root. The system PostgreSQL service is not used: MSIP runs its own cluster.
set -euo pipefail

PACKAGES=(
  postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting postgresql-15-pointcloud
  gdal-bin python3-venv python3-dev build-essential
  chromium            # the web map's browser tests (driven by Playwright, no browser download)
  python3-qgis qgis-providers  # the real-client tests (tests/clients): QGIS 3.x under /usr/bin/python3
  curl jq             # the commands of docs/operations.md (restore drill, metrics)
)
# Node.js + npm build the web map's assets (MapLibre GL JS from the npm registry). A Node.js
# from elsewhere (e.g. NodeSource, which bundles npm) is used when present.
if ! command -v npm >/dev/null; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "error: missing Debian packages (${missing[*]}) and no sudo; install them as root" >&2; exit 1
  fi
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Installing postgresql-15 would start the system cluster on port 5432; MSIP does not need it.
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "Debian packages installed"
