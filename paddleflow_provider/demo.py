"""The README demo: the most complete end-to-end example the project has.

Today that is the example DAG (``example_dags/example_paddleflow_run.py``) run with ``dag.test()``
against the embedded PaddleFlow emulator; see :mod:`paddleflow_provider.example_dags.run_demo`.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from paddleflow_provider.example_dags.run_demo import main as run_demo

    return run_demo(argv)


if __name__ == "__main__":
    raise SystemExit(main())
