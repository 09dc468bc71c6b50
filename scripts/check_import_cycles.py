#!/usr/bin/env python3
"""Fail (exit 1) when any import cycle exists between the modules of msip, pipelines and processing.

The graph is grimp's (the library behind import-linter): every `import`/`from … import` in a
module counts, including those inside functions and under `if TYPE_CHECKING:`, so an import moved
into a function to dodge a cycle is still reported. Each cycle is printed as a chain of modules
with the import lines that make it, e.g.

    cycle 1: msip.cli -> msip.cli.commands.demo -> msip.cli
      msip.cli -> msip.cli.commands.demo          msip/cli/__init__.py:87  from msip.cli.commands import demo
      msip.cli.commands.demo -> msip.cli          msip/cli/commands/demo.py:38  from msip.cli import serve as serve_cmd

A package and its own submodules are separate nodes and grimp resolves `from pkg import sub` and
`import pkg.sub` to the submodule itself, so "a package's `__init__` imports its submodule" is not
a cycle; only an edge back into the package's `__init__` (a submodule importing a name that
`__init__` defines or re-exports) closes one. `--self-test` checks both on a throw-away package.

Usage: scripts/check_import_cycles.py [PACKAGE ...]   (default: msip pipelines processing)
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from collections import deque
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

import grimp

DEFAULT_PACKAGES = ("msip", "pipelines", "processing")


def strongly_connected(graph: grimp.ImportGraph) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work: list[tuple[str, Iterable[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted(graph.find_modules_directly_imported_by(root)))))
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.find_modules_directly_imported_by(succ)))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def shortest_cycle_through(graph: grimp.ImportGraph, start: str, within: set[str]) -> list[str]:
    """The shortest chain start -> … -> start using only modules of one component (BFS)."""
    previous: dict[str, str] = {}
    queue = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        for succ in sorted(graph.find_modules_directly_imported_by(node)):
            if succ not in within:
                continue
            if succ == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(previous[chain[-1]])
                return [*reversed(chain), start]
            if succ not in seen:
                seen.add(succ)
                previous[succ] = node
                queue.append(succ)
    raise AssertionError(f"{start} is in a component but on no cycle")


def find_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One shortest cycle through each module of each component, without rotations repeated."""
    cycles: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for component in strongly_connected(graph):
        members = set(component)
        for module in component:
            chain = shortest_cycle_through(graph, module, members)
            ring = chain[:-1]
            turn = ring.index(min(ring))
            key = tuple(ring[turn:] + ring[:turn])
            if key not in seen:
                seen.add(key)
                cycles.append([*key, key[0]])
    return cycles


def module_path(graph: grimp.ImportGraph, module: str) -> str:
    """A module's file as the reader knows it (a package is its `__init__.py`)."""
    parts = module.split(".")
    is_package = bool(graph.find_children(module))
    return "/".join(parts) + ("/__init__.py" if is_package else ".py")


def report(graph: grimp.ImportGraph, cycles: list[list[str]]) -> list[str]:
    """Human-readable lines: each cycle as a chain, then each import line that makes it."""
    lines: list[str] = []
    for number, chain in enumerate(cycles, start=1):
        lines.append(f"cycle {number}: {' -> '.join(chain)}")
        for importer, imported in pairwise(chain):
            for detail in graph.get_import_details(importer=importer, imported=imported):
                where = f"{module_path(graph, importer)}:{detail['line_number']}"
                lines.append(f"  {importer} -> {imported}    {where}  {detail['line_contents']}")
    return lines


def check(packages: Iterable[str]) -> int:
    """Print the cycles among `packages`; 0 when there are none, else 1."""
    graph = grimp.build_graph(*packages, include_external_packages=False, cache_dir=None)
    cycles = find_cycles(graph)
    if not cycles:
        print(f"import cycles: none among {len(graph.modules)} modules of {', '.join(packages)}")
        return 0
    for line in report(graph, cycles):
        print(line)
    print(f"error: {len(cycles)} import cycle(s); an import inside a function still counts — "
          "move the shared code down a layer or into a third module", file=sys.stderr)
    return 1


_SELF_TEST_FILES = {
    # A package importing its own submodules, and submodules importing siblings through the
    # package (`from pkg import sib`, `from .. import sib`, `import pkg.sib`): no cycle.
    "selftest_pkg/__init__.py": "from selftest_pkg.a import f\nfrom selftest_pkg import sub\n",
    "selftest_pkg/a.py": "import selftest_pkg.b\nfrom selftest_pkg import b as bb\nfrom . import c\n"
                         "def f():\n    pass\n",
    "selftest_pkg/b.py": "X = 1\n",
    "selftest_pkg/c.py": "Y = 1\n",
    "selftest_pkg/sub/__init__.py": "from selftest_pkg.sub.m import g\n",
    "selftest_pkg/sub/m.py": "from selftest_pkg.sub import n\nfrom .. import b\n"
                             "def g():\n    pass\n",
    "selftest_pkg/sub/n.py": "Z = 1\n",
    # A real cycle hidden by a function-level import: reported.
    "selftest_cyc/__init__.py": "",
    "selftest_cyc/x.py": "from selftest_cyc.y import h\ndef k():\n    return h()\n",
    "selftest_cyc/y.py": "def h():\n    from selftest_cyc.x import k\n    return k\n",
}


def self_test() -> int:
    """Check the checker on a throw-away tree: no false package cycle, the hidden cycle found."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in _SELF_TEST_FILES.items():
            path = Path(tmp, name)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        sys.path.insert(0, tmp)
        try:
            clean = find_cycles(grimp.build_graph("selftest_pkg", cache_dir=None))
            graph = grimp.build_graph("selftest_cyc", cache_dir=None)
            hidden = find_cycles(graph)
            lines = report(graph, hidden)
        finally:
            sys.path.remove(tmp)
    expected = [["selftest_cyc.x", "selftest_cyc.y", "selftest_cyc.x"]]
    ok = clean == [] and hidden == expected and any("from selftest_cyc.x import k" in s for s in lines)
    print("check_import_cycles self-test:", "ok" if ok else f"FAILED (clean={clean}, hidden={hidden})")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    if argv[:1] == ["--self-test"]:
        return self_test()
    return check(argv or DEFAULT_PACKAGES)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
