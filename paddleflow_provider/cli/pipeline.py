"""``paddleflow pipeline ...``."""

from __future__ import annotations

import click


@click.group("pipeline")
def group() -> None:
    """manage pipeline resources"""
