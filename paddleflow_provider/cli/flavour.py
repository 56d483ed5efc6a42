"""``paddleflow flavour ...``."""

from __future__ import annotations

import click


@click.group("flavour")
def group() -> None:
    """manage flavour resources"""
