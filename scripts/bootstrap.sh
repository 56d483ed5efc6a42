#!/usr/bin/env bash
# Creates (or refreshes) the project's virtual environments from the committed lock files.
#   .venv      Airflow 3.3 + everything the provider, emulator and tests need (the default)
#   .venv-af31 Airflow 3.1, the oldest Airflow 3 line the test command covers (no conn-fields, no
#              task state store, no trigger on_kill: the provider's fallbacks)
#   .venv-af2  Airflow 2.11, used by the test command to prove the provider still works there
#   .venv-lowest every direct dependency at the lowest version pyproject.toml allows, on Airflow
#              2.11.0 (requirements/lowest.in says how): proves the declared lower bounds
# Idempotent: an environment whose lock file has not changed since it was built is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
UV_VERSION=0.13.9

ensure_uv() {
  if ! command -v uv >/dev/null 2>&1 || [ "$(uv --version | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    "$PYTHON" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
}

build_env() {  # build_env DIR LOCKFILE
  local dir=$1 lock=$2 stamp="$1/.lock-stamp"
  local want; want="$(sha256sum "$lock" pyproject.toml | sha256sum | cut -d' ' -f1)"
  if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  ensure_uv
  echo "setting up $dir from $lock ..." >&2
  uv venv --quiet --allow-existing --python "$PYTHON" "$dir"
  uv pip install --quiet --python "$dir/bin/python" -r "$lock"
  uv pip install --quiet --python "$dir/bin/python" --no-deps -e .
  echo "$want" > "$stamp"
}

case "${1:-all}" in
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
  *) echo "usage: $0 [af3|af31|af2|lowest|all]" >&2; exit 2 ;;
esac
