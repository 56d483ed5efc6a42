"""Constants and helpers shared by the queue and cluster services."""

from __future__ import annotations

import secrets
from typing import Any

from ..errors import PFError
from ..util import (
    fmt_cpu,
    fmt_mem,
    parse_quantity,
)

DEFAULT_CLUSTER = "default-cluster"
DEFAULT_QUEUE = "default-queue"
QUEUE_STATUSES = ("creating", "open", "updating", "closing", "closed", "unavailable")
CLUSTER_TYPES = ("Kubernetes", "Local", "K3S")
SEED_FLAVOURS: tuple[tuple[str, str, str, str, dict[str, str]], ...] = (
    ("1", "flavour1", "1", "1Gi", {}),
    ("2", "flavour2", "4", "8Gi", {"nvidia.com/gpu": "1"}),
    ("3", "flavour3", "4", "8Gi", {"nvidia.com/gpu": "2"}),
)


def hex_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def resources_out(spec: dict[str, Any] | None, *, code: str = "InvalidComputeResource") -> dict[str, Any]:
    """Request resources (``cpu``/``mem``/``scalarResources``) -> wire form (``cpu``/``memory``...)."""
    spec = spec or {}
    try:
        cpu = parse_quantity(spec.get("cpu") or "0")
        mem = parse_quantity(spec.get("mem") or spec.get("memory") or "0")
        scalars = {str(k): str(v) for k, v in (spec.get("scalarResources") or {}).items()}
        bad = cpu < 0 or mem < 0 or any(parse_quantity(v) < 0 for v in scalars.values())
    except (ValueError, AttributeError):
        raise PFError(
            code, f"resource {spec} is invalid: cpu/mem must be quantities such as 4, 500m, 8Gi"
        ) from None
    if bad:
        raise PFError(code, f"resource {spec} is invalid: values must not be negative")
    out: dict[str, Any] = {"cpu": fmt_cpu(cpu), "memory": fmt_mem(mem)}
    if scalars:
        out["scalarResources"] = scalars
    return out
