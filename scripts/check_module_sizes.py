"""Size rules of docs/architecture.md: a module over ~300 lines says why in its docstring, a folder holds
at most ~15 modules.

A module longer than LINE_LIMIT must carry the phrase "Longer than ~300 lines" in its module docstring,
followed by the reason; a folder with more than FOLDER_LIMIT modules (`__init__.py` not counted) fails.
Exits 1 listing each offender as `path: problem (fix)`.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ("msip", "pipelines", "processing", "tests", "scripts", "benchmarks")
LINE_LIMIT = 300
# "~300": a module may run a little over before it needs a reason.
LINE_SLACK = 10
FOLDER_LIMIT = 15
REASON = "Longer than ~300 lines"


def problems(root: Path = ROOT) -> list[str]:
    """Every size rule broken under `root`, one line each."""
    found: list[str] = []
    per_folder: Counter[Path] = Counter()
    for tree in TREES:
        for path in sorted((root / tree).rglob("*.py")):
            if any(part.startswith(".") or part == "_work" for part in path.relative_to(root).parts):
                continue
            if path.name != "__init__.py":
                per_folder[path.parent] += 1
            text = path.read_text(encoding="utf-8")
            lines = text.count("\n")
            if lines > LINE_LIMIT + LINE_SLACK:
                doc = ast.get_docstring(ast.parse(text)) or ""
                if REASON not in doc:
                    found.append(
                        f"{path.relative_to(root)}: {lines} lines (split it, or say in its docstring "
                        f"'{REASON} …' and why)"
                    )
    for folder, n in sorted(per_folder.items()):
        if n > FOLDER_LIMIT:
            found.append(
                f"{folder.relative_to(root)}/: {n} modules (at most {FOLDER_LIMIT}; group them in subpackages)"
            )
    return found


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    if found:
        return 1
    print("module sizes: every module ≤ ~300 lines or says why; every folder ≤ 15 modules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
