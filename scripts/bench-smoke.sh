#!/usr/bin/env bash
# Every benchmark at its tiny size (--smoke): each must exit 0 and end with its JSON line, so that none rots.
# Needs DATABASE_URL naming a PostgreSQL server (the benchmarks make and drop their own databases on it) and
# Debian's wrk. Prints each benchmark's JSON line and how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to a PostgreSQL server}"
failed=()
for bench in bench/*.py; do
    grep -q "^def main" "$bench" || continue  # helpers, not benchmarks
    name=$(basename "$bench" .py)
    started=$SECONDS
    if out=$(env -u REDIS_URL -u CELERY_BROKER_URL .venv/bin/python "$bench" --smoke 2>&1) \
        && echo "$out" | tail -n 1 | .venv/bin/python -c "import json, sys; json.loads(sys.stdin.read())" 2>/dev/null; then
        echo "bench $name ($((SECONDS - started)) s): $(echo "$out" | tail -n 1)"
    else
        echo "bench $name FAILED after $((SECONDS - started)) s:" >&2
        echo "$out" | tail -n 30 >&2
        failed+=("$name")
    fi
done
[ ${#failed[@]} = 0 ] || { echo "benchmarks failed: ${failed[*]}" >&2; exit 1; }
