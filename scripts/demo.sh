#!/usr/bin/env bash
# The README's demo: set up the locked environment, then run the most complete end-to-end example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh af3
exec .venv/bin/python -m paddleflow_provider.demo "$@"
