"""Emulator-only control routes under ``/_emulator`` (never under the PaddleFlow prefix)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .http import backend, ok

router = APIRouter(prefix="/_emulator")


@router.get("/stats")
async def stats(request: Request) -> Response:
    """Counters such as ``runs_created``; tests use them to prove no duplicate was made."""
    return ok(dict(backend(request).stats))


@router.get("/health")
async def health(request: Request) -> Response:
    return ok({"status": "ok"})


@router.post("/clock")
async def shift_clock(request: Request) -> Response:
    """Shift the scheduler's clock by ``offset_s`` seconds (test mode only: needs ``--faults``)."""
    be = backend(request)
    if not be.config.faults:
        return ok({"requestID": "", "code": "PathNotFound", "message": ""}, 404)
    data = await request.json()
    offset = be.schedules.shift_clock(timedelta(seconds=float(data.get("offset_s", 0))))
    return ok({"offset_s": offset.total_seconds()})
