#!/usr/bin/env bash
# The project's whole check, exactly what CI runs (.ci/run): set up the locked environments,
# lint, type-check, run the full suite on Airflow 3.3, then the Airflow-facing tests again on
# Airflow 3.1 and 2.11, and the client and Airflow tests once more with every dependency at its
# declared lower bound (.venv-lowest, requirements/lowest.in).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh all
bash scripts/install-browser.sh  # Debian's chromium + chromedriver for tests/browser, when missing

echo "== ruff"
.venv/bin/ruff check paddleflow_provider tests bench
.venv/bin/ruff format --check paddleflow_provider tests bench

echo "== mypy (configuration in pyproject.toml)"
.venv/bin/python -m mypy

echo "== pytest (Airflow 3.3)"
.venv/bin/python -m pytest -q "$@"

echo "== pytest (Airflow 3.1: operators, sensors, triggers)"
.venv-af31/bin/python -m pytest -q tests/airflow

echo "== pytest (Airflow 2.11: operators, sensors, triggers)"
.venv-af2/bin/python -m pytest -q tests/airflow

echo "== pytest (lowest declared dependencies on Airflow 2.11.0: client unit tests, Airflow tests, command line)"
.venv-lowest/bin/python -m pytest -q -p no:warnings tests/unit/client
.venv-lowest/bin/python -m pytest -q -p no:warnings tests/airflow -m "not slow"
.venv-lowest/bin/python -m pytest -q -p no:warnings tests/cli -m "not slow"

echo "== deployment tests (Airflow 3.3: LocalExecutor, then CeleryExecutor with two workers)"
bash scripts/e2e.sh
