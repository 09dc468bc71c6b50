"""MSIP's test suite, laid out like the packages it tests (run with pytest from the repository root).

A package so that shared helpers import as `tests.support.…` and test modules with the same
basename may live in different folders. pygeoapi installs an unrelated top-level `tests` package
into site-packages; pytest puts the repository root first on sys.path (`pythonpath` in
pyproject.toml), so `tests` here is always this folder."""
