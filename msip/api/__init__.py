"""MSIP's OGC API: pygeoapi with MSIP's providers, fixes, caching and metrics (`create_app`)."""

from msip.api.app import create_app
from msip.api.config import load_config

__all__ = ["create_app", "load_config"]
