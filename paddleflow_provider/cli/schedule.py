"""``paddleflow schedule ...``."""

from __future__ import annotations

import click


@click.group("schedule")
def group() -> None:
    """manage schedule resources"""
