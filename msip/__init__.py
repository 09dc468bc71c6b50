"""MSIP: `msip.core` (settings, database, errors, shared infrastructure) below the loaders
(`pipelines`) and analyses (`processing`); the interfaces `msip.cli` and `msip.api` on top."""

__version__ = "0.1.0"
