#!/usr/bin/env bash
# Static checks run by `make test` (scripts/run_tests.sh) before pytest:
#   1. the import-layer contract (import-linter, [tool.importlinter] in pyproject.toml),
#   2. no import cycles (scripts/check_import_cycles.py, grimp; imports inside functions count),
#   3. module sizes (scripts/check_module_sizes.py: ≤ ~300 lines or a stated reason, ≤ 15 modules a folder),
#   4. ruff check ([tool.ruff] in pyproject.toml),
#   5. mypy ([tool.mypy] in pyproject.toml).
# Every check runs; each failure prints one "error: …" line naming the check and how to rerun it,
# and the script exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
# This checkout's packages, whatever the virtualenv's editable install points at.
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
BIN=.venv/bin
failed=()

check() {  # check NAME COMMAND...
  local name=$1
  shift
  echo "== $name: $*"
  if "$@"; then
    echo "ok: $name"
  else
    echo "error: static check '$name' failed (rerun: $*)" >&2
    failed+=("$name")
  fi
}

check "import layers" "$BIN/lint-imports" --no-cache
check "import cycles (self-test)" "$BIN/python" scripts/check_import_cycles.py --self-test
check "import cycles" "$BIN/python" scripts/check_import_cycles.py
check "module sizes" "$BIN/python" scripts/check_module_sizes.py
check "ruff" "$BIN/ruff" check --no-fix --output-format concise .
check "mypy" "$BIN/mypy"

if [ ${#failed[@]} -gt 0 ]; then
  echo "error: ${#failed[@]} static check(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "static checks: all passed"
