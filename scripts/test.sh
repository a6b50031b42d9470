#!/usr/bin/env bash
# The whole test suite. Static checks first (fast feedback), then pytest over unit,
# integration and end-to-end tests; the pytest fixtures start the real PostgreSQL
# and Kafka themselves. Extra arguments go to pytest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=.venv/bin/python
failed=()

step() {
    local name="$1"; shift
    echo "== $name"
    if ! "$@"; then failed+=("$name"); fi
}

step "generated protobuf code is current" $PY scripts/gen_protos.py --check
step "ruff" .venv/bin/ruff check .
step "mypy" .venv/bin/mypy services
step "layering (import-linter)" .venv/bin/lint-imports --no-cache

echo "== pytest"
$PY -m pytest -p no:cacheprovider -q -ra --durations=15 "$@"
pytest_rc=$?
if [[ $pytest_rc -eq 5 ]]; then
    echo "pytest collected no tests"; failed+=("pytest: no tests")
elif [[ $pytest_rc -ne 0 ]]; then
    failed+=("pytest")
fi

if [[ ${#failed[@]} -gt 0 ]]; then
    echo "FAILED steps: ${failed[*]}"
    exit 1
fi
echo "all checks passed"
