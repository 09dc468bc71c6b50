"""Where things are, for tests in any folder: the repository root and the hand-made fixtures."""

from __future__ import annotations

from pathlib import Path

#: The repository root (this file is tests/support/paths.py).
ROOT = Path(__file__).resolve().parents[2]
#: tests/data: tiny hand-made fixtures, one folder per loader, and the bad-input corpus (bad/).
TEST_DATA = ROOT / "tests" / "data"
