"""Strip outputs, execution counts and run metadata from notebooks, so only their source is committed.

Usage (from the repository root):
    .venv/bin/python scripts/strip_notebooks.py            # strip every notebooks/*.ipynb in place
    .venv/bin/python scripts/strip_notebooks.py A.ipynb    # strip the given notebooks
    .venv/bin/python scripts/strip_notebooks.py --check    # list notebooks with outputs; exit 1 if any
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
#: Cell metadata a run adds (nbclient's timings, Jupyter's scroll/collapse state).
RUN_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


def strip(nb: nbformat.NotebookNode) -> bool:
    """Remove outputs and run state from `nb` in place; True when something was removed."""
    changed = False
    for cell in nb.cells:
        for key in RUN_METADATA:
            if key in cell.metadata:
                del cell.metadata[key]
                changed = True
        if cell.cell_type != "code":
            continue
        if cell.outputs or cell.execution_count is not None:
            cell.outputs, cell.execution_count = [], None
            changed = True
    if "widgets" in nb.metadata:
        del nb.metadata["widgets"]
        changed = True
    # the kernel writes its Python version here: keep only the language, or every run is a diff
    info = nb.metadata.get("language_info")
    if info and set(info) != {"name"}:
        nb.metadata["language_info"] = {"name": info.get("name", "python")}
        changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)"
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a notebook has outputs"
    )
    args = parser.parse_args(argv)
    paths = args.paths or sorted((ROOT / "notebooks").glob("*.ipynb"))
    dirty = []
    for path in paths:
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError) as exc:
            print(
                f"{path}: cannot read the notebook ({exc}); fix or remove the file", file=sys.stderr
            )
            return 1
        if strip(nb):
            dirty.append(path)
            if not args.check:
                nbformat.write(nb, path)
    verb = "has outputs (run scripts/strip_notebooks.py)" if args.check else "stripped"
    for path in dirty:
        print(f"{path}: {verb}")
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
