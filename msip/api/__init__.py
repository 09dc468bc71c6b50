"""MSIP's OGC API: pygeoapi with MSIP's providers, fixes, caching and metrics (`create_app`).

The names are resolved on first use: `msip serve` (msip.api.server) must set
PROMETHEUS_MULTIPROC_DIR before the metrics module is imported by the app.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msip.api.app import create_app
    from msip.api.config import load_config

__all__ = ["create_app", "load_config"]
_WHERE = {"create_app": "msip.api.app", "load_config": "msip.api.config"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'msip.api' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
