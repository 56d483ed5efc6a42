"""HTML out of the package's Jinja2 templates, autoescaped: a step may print ``<script>``, a run may be
named anything, and all of it must reach the browser as text."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined

REFRESH_SECONDS = 2  # how often the page of a run that is not final reloads itself


@cache
def _env() -> Environment:
    # autoescape=True for every template (not only *.html): nothing rendered here is trusted markup
    return Environment(
        loader=PackageLoader("paddleflow_provider.emulator.pages", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` as a whole HTML page; the headers keep it from being framed or cached."""
    html = _env().get_template(template).render(refresh_seconds=REFRESH_SECONDS, **context)
    headers = {
        # no script, no outside asset: a policy that forbids both costs nothing and stops what escaping missed
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return HTMLResponse(html, status_code=status, headers=headers)
