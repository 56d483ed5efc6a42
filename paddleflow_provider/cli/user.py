"""``paddleflow user ...``."""

from __future__ import annotations

import click


@click.group("user")
def group() -> None:
    """manage user resources"""
