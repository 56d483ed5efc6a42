"""``python -m paddleflow_provider.emulator`` / ``paddleflow-emulator``: a local PaddleFlow server."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .._extras import MissingExtraError, require_extra


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paddleflow-emulator",
        description="A local PaddleFlow-compatible server that really runs pipeline steps as processes.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8999, help="port; 0 picks a free one (default 8999)")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("PADDLEFLOW_EMULATOR_DATA", ".paddleflow-emulator"),
        help="state, logs and local:// storage live here (default ./.paddleflow-emulator)",
    )
    parser.add_argument(
        "--root-password",
        default=os.environ.get("PADDLEFLOW_EMULATOR_ROOT_PASSWORD", "paddleflow"),
        help="password of the root user on a fresh data dir (default paddleflow)",
    )
    parser.add_argument("--faults", action="store_true", help="enable the /_emulator/faults injection API")
    parser.add_argument("--log-level", default="WARNING", help="Python log level (default WARNING)")
    parser.add_argument(
        "--stop-with-parent",
        action="store_true",
        help="stop (like SIGTERM) when standard input closes: the Emulator class passes a pipe, so a "
        "killed test run never leaves a server and its step processes behind",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not 0 <= args.port <= 65535:
        build_parser().error(f"--port must be 0..65535, got {args.port}")
    try:
        require_extra("the emulator", "emulator")
    except MissingExtraError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from .backend.core import Config
    from .server import serve

    return serve(
        Config(
            data_dir=Path(args.data_dir),
            root_password=args.root_password,
            faults=args.faults,
            host=args.host,
            port=args.port,
        ),
        stop_with_parent=args.stop_with_parent,
    )


if __name__ == "__main__":
    raise SystemExit(main())
