#!/usr/bin/env bash
# Deployment tests: a real Airflow deployment (api-server, scheduler, dag-processor, triggerer and,
# for Celery, two workers) against the PaddleFlow emulator, with PostgreSQL as the metadata database
# and Redis as the Celery broker, all throwaway processes in one temporary folder.
#
#   bash scripts/e2e.sh                 # local + celery on Airflow 3.3 (what scripts/test.sh runs)
#   bash scripts/e2e.sh local           # LocalExecutor only
#   bash scripts/e2e.sh celery          # CeleryExecutor, two workers, Redis broker
#   bash scripts/e2e.sh af2             # Airflow 2.11 (.venv-af2): kill, reattach and clear scenarios
#   bash scripts/e2e.sh local -k clear  # anything after the mode goes to pytest
#
# The scenarios are pytest tests in tests/deployment (a session fixture there starts and stops the
# Airflow processes). This script owns what outlives one pytest session: PostgreSQL and Redis, and
# the guarantee that nothing is left running. Every process it starts runs in the temporary folder
# and carries PF_E2E_MARK=<unique> in its environment; on exit, however the script ends (success,
# failure, Ctrl-C, SIGTERM), every such process is stopped (TERM, then KILL) and the script checks
# that none remains.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MODES=()
while [[ $# -gt 0 && $1 =~ ^(local|celery|af2|all)$ ]]; do
    if [[ $1 == all ]]; then MODES+=(local celery af2); else MODES+=("$1"); fi
    shift
done
[[ ${#MODES[@]} -gt 0 ]] || MODES=(local celery)
PYTEST_ARGS=("$@")

VENV3=${PF_E2E_VENV:-$ROOT/.venv}
VENV2=${PF_E2E_VENV_AF2:-$ROOT/.venv-af2}

need_celery=0
for m in "${MODES[@]}"; do [[ $m == celery ]] && need_celery=1; done

# -- system packages: PostgreSQL server binaries and (for Celery) redis-server ------------------
pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return 0; }
    done
    return 1
}
missing=()
pg_bin >/dev/null || missing+=(postgresql)
[[ $need_celery == 0 ]] || command -v redis-server >/dev/null || missing+=(redis-server)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "== e2e: installing ${missing[*]} from the system's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # Debian's packages start system-wide services; this script runs its own throwaway ones.
    for svc in postgresql redis-server; do
        (command -v service >/dev/null && service "$svc" stop >/dev/null 2>&1) || true
    done
fi
PGBIN=$(pg_bin)

# -- the temporary folder and the stop-everything trap ------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pf-e2e.XXXXXX")
chmod 755 "$TMP"
MARK="pf-e2e-$$-$RANDOM$RANDOM"
as_pg_user=()
if [[ $EUID -eq 0 ]]; then
    # PostgreSQL refuses to run as root: run it as the package's system user (or nobody).
    pg_user=postgres
    id "$pg_user" >/dev/null 2>&1 || pg_user=nobody
    as_pg_user=(runuser -u "$pg_user" --)
fi

marked_pids() {
    # Every process started for this run: its environment holds PF_E2E_MARK=$MARK, or (for the
    # many that rewrite their environment block with their process title: Airflow's components,
    # Celery, Redis) its working directory is inside $TMP, where each one is started.
    local p cwd
    for p in /proc/[0-9]*; do
        [[ ${p#/proc/} == "$$" ]] && continue
        cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=
        if [[ $cwd == "$TMP" || $cwd == "$TMP"/* ]] \
            || tr "\\0" "\\n" 2>/dev/null <"$p/environ" | grep -qx "PF_E2E_MARK=$MARK"; then
            echo "${p#/proc/}"
        fi
    done
}

stop_marked() {
    local pids i
    pids=$(marked_pids)
    [[ -z $pids ]] && return 0
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 1 40); do
        pids=$(marked_pids)
        [[ -z $pids ]] && return 0
        sleep 0.5
    done
    echo "== e2e: SIGKILL to processes that ignored SIGTERM: $pids" >&2
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 1
}

cleanup() {
    local rc=$? left
    trap - EXIT INT TERM
    stop_marked  # PostgreSQL too: SIGTERM is its "smart" shutdown, and its clients are gone
    if [[ -s $TMP/pg/postmaster.pid ]]; then
        "${as_pg_user[@]}" "$PGBIN/pg_ctl" -D "$TMP/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    left=$(marked_pids)
    if [[ -n $left ]]; then
        echo "== e2e: FAILED to stop processes:" >&2
        # shellcheck disable=SC2086
        ps -o pid,pgid,args -p $left >&2 || true
        rc=1
    else
        echo "== e2e: all processes stopped"
    fi
    if [[ $rc -ne 0 && -n ${PF_E2E_KEEP:-} ]]; then
        echo "== e2e: kept $TMP (component logs in */logs)"
    else
        rm -rf "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$VENV3/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# -- PostgreSQL: a throwaway cluster, unix socket in the temp folder -------------------------------
PG_PORT=$(free_port)
mkdir -p "$TMP/pg" "$TMP/pgsock"
[[ ${#as_pg_user[@]} -eq 0 ]] || chown "$pg_user" "$TMP/pg" "$TMP/pgsock"
"${as_pg_user[@]}" env PF_E2E_MARK="$MARK" "$PGBIN/initdb" -D "$TMP/pg" -U airflow --auth=trust \
    -E UTF8 --no-sync >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; exit 1; }
"${as_pg_user[@]}" env PF_E2E_MARK="$MARK" "$PGBIN/pg_ctl" -D "$TMP/pg" -l "$TMP/pg/server.log" -w \
    -o "-p $PG_PORT -k $TMP/pgsock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null
echo "== e2e: PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT ($TMP)"

create_db() {
    "${as_pg_user[@]}" "$PGBIN/createdb" -h "$TMP/pgsock" -p "$PG_PORT" -U airflow "$1"
}

# -- Redis (Celery broker) -------------------------------------------------------------------------
REDIS_PORT=
if [[ $need_celery == 1 ]]; then
    REDIS_PORT=$(free_port)
    env PF_E2E_MARK="$MARK" setsid redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
        --appendonly no --daemonize no --dir "$TMP" >"$TMP/redis.log" 2>&1 &
    for _ in $(seq 1 50); do
        redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
        sleep 0.2
    done
    echo "== e2e: $(redis-server --version | awk '{print $1, $2, $3}') on 127.0.0.1:$REDIS_PORT"
fi

# -- one pytest session per mode ------------------------------------------------------------------
status=0
for mode in "${MODES[@]}"; do
    db="airflow_$mode"
    create_db "$db"
    venv=$VENV3
    sql="postgresql+psycopg2://airflow@127.0.0.1:$PG_PORT/$db"
    if [[ $mode == af2 ]]; then
        venv=$VENV2
        "$venv/bin/python" -c 'import psycopg2' 2>/dev/null \
            || sql="sqlite:///$TMP/$mode/airflow.db"  # .venv-af2 has no PostgreSQL driver
    fi
    mkdir -p "$TMP/$mode"
    echo "== e2e: $mode (metadata database: ${sql%%:*})"
    start=$(date +%s)
    # pytest runs in its own process group in the background, so Ctrl-C reaches this script's
    # trap (which stops everything by its mark) instead of only the foreground job.
    set +e
    env PF_E2E_MARK="$MARK" PF_E2E_MODE="$mode" PF_E2E_ROOT="$TMP/$mode" PF_E2E_SQL_CONN="$sql" \
        PF_E2E_BROKER="${REDIS_PORT:+redis://127.0.0.1:$REDIS_PORT/0}" \
        PF_E2E_RESULT_BACKEND="db+postgresql://airflow@127.0.0.1:$PG_PORT/$db" \
        PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
        setsid "$venv/bin/python" -m pytest -q -p no:cacheprovider -c "$ROOT/pyproject.toml" \
        --rootdir "$ROOT" tests/deployment "${PYTEST_ARGS[@]}" &
    wait $!
    rc=$?
    set -e
    echo "== e2e: $mode finished rc=$rc in $(($(date +%s) - start)) s"
    [[ $rc -eq 0 ]] || status=$rc
done
exit "$status"
