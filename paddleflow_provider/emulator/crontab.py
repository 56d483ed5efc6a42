"""Crontab parsing as robfig/cron's ``ParseStandard`` does: 5 fields, ``@every <duration>``, descriptors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

DESCRIPTORS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_RE = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    """A Go duration (``1h30m``, ``10s``, ``500ms``) in seconds; ``ValueError`` if malformed."""
    text = text.strip()
    pos, total = 0, 0.0
    for m in _DURATION_RE.finditer(text):
        if m.start() != pos:
            raise ValueError(text)
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(f"invalid duration {text!r}")
    return total


@dataclass(frozen=True)
class Crontab:
    """A parsed crontab; :meth:`next` gives the first tick strictly after a time."""

    expr: str
    every: float | None = None

    def next(self, after: datetime) -> datetime:
        if self.every is not None:
            # robfig's constant-delay schedule: at least one second, activations on whole seconds
            delay = max(1.0, float(int(self.every)) if self.every >= 1 else 1.0)
            return (after + timedelta(seconds=delay)).replace(microsecond=0)
        from croniter import croniter

        return croniter(self.expr, after.replace(microsecond=0)).get_next(datetime)


def parse(text: str) -> Crontab:
    """Parse ``text`` or raise ``ValueError`` naming what is accepted."""
    spec = text.strip()
    if spec.startswith("@every "):
        return Crontab(spec, every=parse_duration(spec[len("@every ") :]))
    spec = DESCRIPTORS.get(spec, spec)
    fields = spec.split()
    if len(fields) != 5:
        raise ValueError(f"crontab[{text}] should have 5 fields, or be @every <duration> / @daily style")
    from croniter import croniter

    if not croniter.is_valid(spec):
        raise ValueError(f"crontab[{text}] is not a valid cron expression")
    return Crontab(spec)
