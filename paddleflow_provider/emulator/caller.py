"""Who is calling: the authenticated user of a request, as every service sees it (no HTTP here)."""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "root"


@dataclass(frozen=True)
class Caller:
    """The authenticated user of a request (set by the auth middleware); root may act for anyone."""

    name: str

    @property
    def is_root(self) -> bool:
        return self.name.lower() == ROOT
