"""The page routes: ``GET /`` (run list), ``GET /run/{run_id}``, ``GET/POST /login``, ``POST /logout``.

They sit outside the API prefix, so the API's token middleware lets them through; each page asks
:func:`session.signed_in` itself and sends a visitor without a session to the login page, which
leads back to the page asked for.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import PFError
from ..handlers.http import backend
from . import views
from .render import page
from .session import end_session, login_url, safe_next, signed_in, start_session

router = APIRouter(include_in_schema=False)

# How a backend refusal shows on a page: the API answers these 400 (the server's quirk); a browser
# is better told "not found" and "forbidden".
_PAGE_STATUS = {"RunNotFound": 404, "AccessDenied": 403}


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(login_url(target), status_code=303)


@router.get("/")
async def run_list(request: Request) -> Response:
    who = signed_in(request, backend(request))
    if who is None:
        return _to_login(request)
    marker = request.query_params.get("marker") or None
    try:
        runs = views.run_list(backend(request), who, marker)
    except PFError as err:  # a marker that is not one of ours
        return page("error.html", 400, user=who.name, title="Bad page marker", message=err.message)
    return page("runs.html", user=who.name, is_root=who.is_root, runs=runs)


@router.get("/run/{run_id}")
async def run_page(request: Request, run_id: str) -> Response:
    who = signed_in(request, backend(request))
    if who is None:
        return _to_login(request)
    try:
        view = views.run_view(backend(request), who, run_id)
    except PFError as err:
        status = _PAGE_STATUS.get(err.code, err.status)
        return page("error.html", status, user=who.name, title=f"Run {run_id}", message=err.message)
    return page("run.html", user=who.name, view=view, tail_lines=views.LOG_TAIL_LINES)


@router.get("/login")
async def login_form(request: Request) -> Response:
    return page("login.html", user=None, next=safe_next(request.query_params.get("next")), error="")


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the name and password with the backend (``Users.login``); the token it gives becomes the
    session cookie. A wrong name and a wrong password get the same answer."""
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    name, password = form.get("username", [""])[0], form.get("password", [""])[0]
    target = safe_next(form.get("next", ["/"])[0])
    try:
        token = backend(request).users.login(name, password)
    except PFError:
        return page("login.html", 401, user=None, next=target, error="Wrong user name or password.")
    response = RedirectResponse(target, status_code=303)
    start_session(response, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = RedirectResponse("/login", status_code=303)
    end_session(response)
    return response
