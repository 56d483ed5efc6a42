"""``paddleflow cluster ...``."""

from __future__ import annotations

import click


@click.group("cluster")
def group() -> None:
    """manage cluster resources"""
