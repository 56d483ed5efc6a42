"""``paddleflow statistics ...``."""

from __future__ import annotations

import click


@click.group("statistics")
def group() -> None:
    """manage statistics resources"""
