#!/usr/bin/env bash
# Creates (or refreshes) the project's virtual environments from the committed lock files.
#   .tools     the set-up's own tool environment: uv, pinned (every mode builds it first)
#   .venv      Airflow 3.3 + everything the provider, emulator and tests need (the default)
#   .venv-af31 Airflow 3.1, the oldest Airflow 3 line the test command covers (no conn-fields, no
#              task state store, no trigger on_kill: the provider's fallbacks)
#   .venv-af2  Airflow 2.11, used by the test command to prove the provider still works there
#   .venv-lowest every direct dependency at the lowest version pyproject.toml allows, on Airflow
#              2.11.0 (requirements/lowest.in says how): proves the declared lower bounds
# Idempotent: an environment whose lock file has not changed since it was built is left alone.
#
# The machine's own Python and tools are left as they are: nothing is installed into $PYTHON (it
# only creates virtual environments, so an externally managed Python, PEP 668, as Debian and Ubuntu
# ship it, works), and a uv already on PATH is neither used nor replaced: the set-up runs its own,
# .tools/bin/uv, so every machine builds with the same uv.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
UV_VERSION=0.13.9
TOOLS=.tools
UV=$TOOLS/bin/uv

ensure_tools() {  # .tools: a virtual environment of $PYTHON holding uv==$UV_VERSION
  if [ -x "$UV" ] && [ "$("$UV" --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    return 0
  fi
  # Debian and Ubuntu ship venv and ensurepip apart from python3; without them `-m venv` fails.
  if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "bootstrap: $PYTHON cannot create a virtual environment (no venv/ensurepip module); install the python3-venv package (Debian/Ubuntu: sudo apt install python3-venv) or point PYTHON at another Python 3.11" >&2
    exit 1
  fi
  echo "setting up $TOOLS (uv $UV_VERSION) ..." >&2
  "$PYTHON" -m venv --clear "$TOOLS"
  "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
}

build_env() {  # build_env DIR LOCKFILE
  local dir=$1 lock=$2 stamp="$1/.lock-stamp"
  local want; want="$(sha256sum "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  ensure_tools
  echo "setting up $dir from $lock ..." >&2
  "$UV" venv --quiet --allow-existing --python "$PYTHON" "$dir"
  "$UV" pip install --quiet --python "$dir/bin/python" -r "$lock"
  "$UV" pip install --quiet --python "$dir/bin/python" --no-deps -e .
  echo "$want" > "$stamp"
}

case "${1:-all}" in
  tools) ensure_tools ;;
  af3) build_env .venv requirements/af3.lock.txt ;;
  af31) build_env .venv-af31 requirements/af31.lock.txt ;;
  af2) build_env .venv-af2 requirements/af2.lock.txt ;;
  lowest) build_env .venv-lowest requirements/lowest.lock.txt ;;
  all)
    build_env .venv requirements/af3.lock.txt
    build_env .venv-af31 requirements/af31.lock.txt
    build_env .venv-af2 requirements/af2.lock.txt
    build_env .venv-lowest requirements/lowest.lock.txt
    ;;
  *) echo "usage: $0 [tools|af3|af31|af2|lowest|all]" >&2; exit 2 ;;
esac
