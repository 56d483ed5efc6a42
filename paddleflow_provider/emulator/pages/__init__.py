"""The emulator's web pages: the run list (``GET /``) and one run (``GET /run/{run_id}``).

``{base}/run/{run_id}`` is the default run link the operators push and the demo prints, so it must
lead somewhere offline. The pages are plain server-rendered HTML (Jinja2, autoescaped; no script, no
external asset) outside the API prefix, signed in with the emulator's own users; they read
everything through the backend as that user, so they show exactly what the API would let them see.
"""

from __future__ import annotations

from .routes import router

__all__ = ["router"]
