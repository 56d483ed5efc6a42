"""Optional parts say which extra installs them, in one line, instead of a ``No module named`` traceback.

Cheap and dependency-free: the client (no Airflow) and the emulator's launcher both use it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

DISTRIBUTION = "airflow-provider-paddleflow"

#: What each extra brings, as the modules the package imports (pyproject.toml names the distributions).
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "emulator": ("fastapi", "starlette", "uvicorn", "yaml", "croniter", "psutil"),
    "async": ("httpx",),
}


class MissingExtraError(ImportError):
    """A part of the package was used without the extra that installs what it imports."""


def missing_modules(modules: Iterable[str]) -> list[str]:
    """The names in ``modules`` that cannot be imported (found neither loaded nor on the path)."""
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a parent package missing, or blocked in sys.modules
            found = False
        if not found:
            missing.append(name)
    return missing


def missing_extra_message(part: str, extra: str, missing: Iterable[str]) -> str:
    """``<part> needs the '<extra>' extra: pip install '...[<extra>]' (missing: a, b)``."""
    return (
        f"{part} needs the {extra!r} extra: pip install '{DISTRIBUTION}[{extra}]' "
        f"(missing: {', '.join(missing)})"
    )


def require_extra(part: str, extra: str) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` when any module it brings is missing."""
    missing = missing_modules(EXTRA_MODULES[extra])
    if missing:
        raise MissingExtraError(missing_extra_message(part, extra, missing), name=missing[0])
