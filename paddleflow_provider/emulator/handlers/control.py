"""Emulator-only control routes under ``/_emulator`` (never under the PaddleFlow prefix)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..web import backend, ok

router = APIRouter(prefix="/_emulator")


@router.get("/stats")
async def stats(request: Request) -> Response:
    """Counters such as ``runs_created``; tests use them to prove no duplicate was made."""
    return ok(dict(backend(request).stats))


@router.get("/health")
async def health(request: Request) -> Response:
    return ok({"status": "ok"})
