"""Who is signed in to the pages: a session cookie holding the user's own API token.

The token is the one ``POST /login`` of the API hands out (``Users.login``): already signed, tied to
the password hash and checked by ``Users.authenticate``, so the pages add no second signing scheme
and a password change or a deleted user ends the page session as it ends API tokens.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from ..backend.core import Backend
from ..caller import Caller
from ..errors import PFError

COOKIE = "pf_emulator_session"
LOGIN_PATH = "/login"


def signed_in(request: Request, backend: Backend) -> Caller | None:
    """The user whose session cookie came with ``request``, or None (none, forged or dead token)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return Caller(backend.users.authenticate(token))
    except PFError:
        return None


def start_session(response: Response, token: str) -> None:
    """HttpOnly (no script reads it) and SameSite=Lax (no other site's form posts with it)."""
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this server only (``//host`` and ``/\\host`` would leave it)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


def login_url(next_path: str) -> str:
    """The login page that leads back to ``next_path`` (a default link carries no credentials)."""
    return f"{LOGIN_PATH}?next={quote(safe_next(next_path), safe='/')}"
