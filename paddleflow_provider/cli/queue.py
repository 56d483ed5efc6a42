"""``paddleflow queue ...``."""

from __future__ import annotations

import click


@click.group("queue")
def group() -> None:
    """manage queue resources"""
