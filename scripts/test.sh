#!/usr/bin/env bash
# The whole test suite, twice: on the embedded SQLite default, then on PostgreSQL with Redis and a real Celery
# worker. Installs what it needs (Debian packages when run as root, Python packages into .venv) and starts a
# throwaway PostgreSQL cluster and Redis server on loopback, stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${MINPING_TEST_PG_PORT:-54329}
REDIS_PORT=${MINPING_TEST_REDIS_PORT:-63799}

need_debs=()
command -v redis-server >/dev/null || need_debs+=(redis-server)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_debs+=(postgresql)
command -v chromium >/dev/null || need_debs+=(chromium)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || need_debs+=(nginx)
command -v wrk >/dev/null || need_debs+=(wrk)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need_debs+=(fonts-noto-cjk)
if [ ${#need_debs[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_debs[@]}" >/dev/null
    else
        echo "missing Debian packages: ${need_debs[*]} (run as root to install them)" >&2
        exit 1
    fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'

work=$(mktemp -d /tmp/minping-test.XXXXXX)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
cleanup() {
    as_pg "$pg_bin/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1 || true
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$work"
as_pg "$pg_bin/initdb -D $work/pg -A trust -U minping -E UTF8 --locale=C.UTF-8" >/dev/null
as_pg "$pg_bin/pg_ctl -D $work/pg -l $work/pg.log -w -o \"-p $PG_PORT -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start" >/dev/null
redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null

run_suite() {  # name, then environment assignments
    local name=$1; shift
    echo "=== test suite on $name ==="
    local status=0
    env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL "$@" .venv/bin/python -m pytest -q --durations=10 "${PYTEST_ARGS[@]}" || status=$?
    if [ "$status" = 5 ]; then echo "no tests ran on $name" >&2; return 1; fi
    return "$status"
}
echo "=== ruff ==="
.venv/bin/ruff check minping tests bench scripts
.venv/bin/ruff format --check minping tests bench scripts
PYTEST_ARGS=("$@")
sqlite_status=0; pg_status=0
# The browser tests drive the same pages on either database: they run once, on PostgreSQL, as production does.
MINPING_SKIP_BROWSER=1 run_suite SQLite MINPING_DATA_DIR="$work/sqlite-data" || sqlite_status=$?
run_suite PostgreSQL MINPING_DATA_DIR="$work/pg-data" \
    DATABASE_URL="postgres://minping@127.0.0.1:$PG_PORT/minping" \
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/1" CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/0" || pg_status=$?
bench_status=0
if [ ${#PYTEST_ARGS[@]} = 0 ]; then  # the whole suite: every benchmark at its tiny size too
    echo "=== benchmarks, smoke size ==="
    DATABASE_URL="postgres://minping@127.0.0.1:$PG_PORT/minping" scripts/bench-smoke.sh || bench_status=$?
fi
echo "SQLite: $([ $sqlite_status = 0 ] && echo passed || echo FAILED); PostgreSQL: $([ $pg_status = 0 ] && echo passed || echo FAILED); benchmarks: $([ $bench_status = 0 ] && echo passed || echo FAILED)"
[ "$sqlite_status" = 0 ] && [ "$pg_status" = 0 ] && [ "$bench_status" = 0 ]
