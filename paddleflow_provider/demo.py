"""The README demo. Grows with the project: it always runs the most complete example that exists."""

from __future__ import annotations

import paddleflow_provider


def main() -> int:
    print(f"airflow-provider-paddleflow {paddleflow_provider.__version__}: package installed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
