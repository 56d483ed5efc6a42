"""``paddleflow fs ...``."""

from __future__ import annotations

import click


@click.group("fs")
def group() -> None:
    """manage fs resources"""
