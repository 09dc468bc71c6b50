"""Which returns make the canopy height model, chosen per file from the classes it holds.

Three rules, in order of preference, because real deliveries differ (lidR's and PDAL's samples
leave everything above the ground in class 1):
- `classes`: the file has vegetation classes 3–5 → canopy = those returns;
- `above_ground`: it has ground (2) but no vegetation class → canopy = height above ground of
  every return that is not ground, building, water, noise or another man-made ASPRS class
  (NON_CANOPY_CLASSES); class 1 (unclassified) and unknown classes count as canopy;
- `multi_return`: it has no ground class (SMRF classifies it) → no class can be trusted:
  canopy = nDSM where pulses split into several returns (roofs do not split them).
"""

from __future__ import annotations

import numpy as np

from pipelines.lidar.params import GROUND_CLASS, NOISE_CLASSES, VEGETATION_CLASSES

#: Ground 2, building 6, low noise 7, water 9, rail 10, road surface 11, wire guard 13,
#: wire conductor 14, transmission tower 15, wire connector 16, bridge deck 17, high noise 18.
NON_CANOPY_CLASSES = (2, 6, 7, 9, 10, 11, 13, 14, 15, 16, 17, 18)
#: Classes whose returns lie on the terrain (lidR's default for a DTM: ground and water).
TERRAIN_CLASSES = (GROUND_CLASS, 9)
CLASSES, ABOVE_GROUND, MULTI_RETURN = "classes", "above_ground", "multi_return"
RULE_TEXT = {
    CLASSES: "ASPRS vegetation classes 3–5",
    ABOVE_GROUND: (
        "no vegetation classes (3–5): height above ground of every return that is not ground, "
        "building, water, noise or man-made (classes 2, 6, 7, 9–11, 13–18)"
    ),
    MULTI_RETURN: (
        "no ground class: nDSM where pulses split into several returns (ground by SMRF)"
    ),
}
assert not set(NOISE_CLASSES) - set(NON_CANOPY_CLASSES)


def canopy_rule(classes: dict[int, int]) -> str:
    """The canopy rule of a file from its point counts per class."""
    if any(classes.get(c) for c in VEGETATION_CLASSES):
        return CLASSES
    if classes.get(GROUND_CLASS):
        return ABOVE_GROUND
    return MULTI_RETURN


def canopy_returns(cls: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """True for returns whose height above ground is canopy; `rules` = each point's file rule."""
    by_class = (rules == CLASSES) & np.isin(cls, VEGETATION_CLASSES)
    by_height = (rules == ABOVE_GROUND) & ~np.isin(cls, NON_CANOPY_CLASSES)
    return by_class | by_height


def point_rules(
    file_rules: tuple[tuple[int, str], ...], file_idx: np.ndarray, cls: np.ndarray, readback: int
) -> np.ndarray:
    """Each point's canopy rule: its file's; points read back from the store (file index
    `readback`) get the rule their own classes call for."""
    lookup = np.full(max(readback, *(i for i, _ in file_rules), 0) + 1, MULTI_RETURN, dtype=object)
    for index, rule in file_rules:
        lookup[index] = rule
    from_db = file_idx == readback
    if from_db.any():
        found = np.bincount(cls[from_db], minlength=256)
        lookup[readback] = canopy_rule({c: int(n) for c, n in enumerate(found) if n})
    return lookup[file_idx]
