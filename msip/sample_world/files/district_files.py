"""Files only the district world has: its plans, PRG address points, geosites and extra truth."""

from __future__ import annotations

from pathlib import Path

from msip.sample_world.manifest import FileRecord
from msip.sample_world.world.model import World


def write_all(world: World, out: Path) -> list[FileRecord]:
    """Write every district-only file under ``out``; returns their manifest records."""
    return []
