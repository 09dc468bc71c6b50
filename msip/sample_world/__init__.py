"""Synthetic Kielce district with ground truth: every MSIP source format, from one seed.

``generate(out_dir, size="small", seed=42)`` writes vector layers, orthophoto and LiDAR tiles for
two epochs, inventories, the zoning plan GML and ``truth/``; same seed and size give
byte-identical files. See ``truth/README.md`` in the output for what is known about the world.

Inside: ``world/`` builds the world model (streets, blocks, buildings, trees, ads, plan zones,
terrain) from the seed; ``survey/`` simulates what the sensors see of it tile by tile (land-cover
scene, orthophoto radiometry, LiDAR); ``files/`` writes the source formats and the ground truth;
``generator`` runs the steps and ``manifest`` lists what was written. Imports only msip.core.
"""

from __future__ import annotations

from .constants import EPOCH1, EPOCH2, EPOCHS, ORIGIN, SIZES, SizeSpec
from .generator import generate
from .manifest import load_manifest
from .world.terrain import terrain_z

__all__ = [
    "EPOCH1",
    "EPOCH2",
    "EPOCHS",
    "ORIGIN",
    "SIZES",
    "SizeSpec",
    "generate",
    "load_manifest",
    "terrain_z",
]
