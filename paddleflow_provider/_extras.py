"""Optional parts say which extra installs them, in one line, instead of a ``No module named`` traceback.

Cheap and dependency-free: the client (no Airflow) and the emulator's launcher both use it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from collections.abc import Callable, Iterable

DISTRIBUTION = "airflow-provider-paddleflow"

#: What each extra brings, as the modules the package imports (pyproject.toml names the distributions).
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "emulator": ("fastapi", "starlette", "uvicorn", "yaml", "croniter", "psutil", "jinja2"),
    "async": ("httpx",),
    "cli": ("click", "tabulate"),
}

#: The oldest common-compat whose ``sdk`` module gives everything ``_compat`` imports and whose
#: ``mask_secret`` works on Airflow 2.11 (the ``airflow`` extra's bound; a test keeps them equal).
COMMON_COMPAT = "apache-airflow-providers-common-compat"
COMMON_COMPAT_MIN = (1, 22, 0)


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


#: Modules whose distribution (what ``pip`` installs) has another name.
_DISTRIBUTION_OF = {"yaml": "pyyaml"}


def missing_extra_message(part: str, extra: str, missing: Iterable[str]) -> str:
    """``<part> needs the '<extra>' extra: pip install '...[<extra>]' (missing: a, b)``."""
    names = ", ".join(_DISTRIBUTION_OF.get(name, name) for name in missing)
    return f"{part} needs the {extra!r} extra: pip install '{DISTRIBUTION}[{extra}]' (missing: {names})"


def require_extra(part: str, extra: str) -> None:
    """Raise :class:`MissingExtraError` naming ``extra`` when any module it brings is missing."""
    missing = missing_modules(EXTRA_MODULES[extra])
    if missing:
        raise MissingExtraError(missing_extra_message(part, extra, missing), name=missing[0])


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+", maxsplit=1)[0])[:3])


def require_airflow(version_of: Callable[[str], str] = importlib.metadata.version) -> None:
    """Raise :class:`MissingExtraError` unless Airflow and a recent enough common-compat are installed.

    An Airflow installed without this package's ``airflow`` extra may carry an older common-compat:
    1.7 to 1.21 fail on import or, worse, only when a task masks a secret.
    """
    part = "the Airflow provider"
    missing = missing_modules(["airflow"])
    if missing:
        raise MissingExtraError(missing_extra_message(part, "airflow", missing), name="airflow")
    try:
        installed = version_of(COMMON_COMPAT)
    except importlib.metadata.PackageNotFoundError:
        raise MissingExtraError(
            missing_extra_message(part, "airflow", [COMMON_COMPAT]), name=COMMON_COMPAT
        ) from None
    if _release(installed) < COMMON_COMPAT_MIN:
        wanted = ".".join(map(str, COMMON_COMPAT_MIN))
        raise MissingExtraError(
            missing_extra_message(part, "airflow", [f"{COMMON_COMPAT}>={wanted}, found {installed}"]),
            name=COMMON_COMPAT,
        )
