#!/usr/bin/env bash
# Start the project's database cluster and run the whole pytest suite.
# pytest's exit code is passed on unchanged: 5 ("no tests collected") fails the run too.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/msip db start || { echo "error: the database cluster did not start (see above)" >&2; exit 1; }
mkdir -p test-artifacts
.venv/bin/python -m pytest "$@"
status=$?
if [ $status -eq 5 ]; then
  echo "error: pytest collected no tests; treating as a failure" >&2
fi
exit $status
