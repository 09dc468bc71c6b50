"""Where the project's own files live (the repository is installed in editable mode)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"
WEB_DIR = PROJECT_ROOT / "web"
PYGEOAPI_CONFIG = PROJECT_ROOT / "pygeoapi-config.yml"
