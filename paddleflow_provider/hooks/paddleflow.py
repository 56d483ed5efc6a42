"""PaddleFlowHook: an Airflow connection turned into a logged-in PaddleFlow client.

The hook only *resolves settings*; HTTP, auth, retries and error mapping live in
``paddleflow_provider.client`` (one request path for sync and async). The connection is read lazily
(never in ``__init__``), so operators that create a hook stay cheap to parse.
"""

from __future__ import annotations

import asyncio
import functools
from typing import TYPE_CHECKING, Any

from paddleflow_provider._compat import BaseHook, get_async_connection
from paddleflow_provider.connection_schema import (
    BY_NAME,
    CONNECTION_FIELDS,
    DEFAULT_PORT,
    DEFAULT_UI_URL_TEMPLATE,
    SETTINGS,
    TIMEOUT_SHORTHAND,
    UI_URL_TEMPLATE,
)
from paddleflow_provider.get_provider_info import CONN_TYPE, UI_FIELD_BEHAVIOUR

if TYPE_CHECKING:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, Client, ClientConfig, PaddleFlowAPI


def _extra_value(extra: dict[str, Any], key: str) -> Any:
    """Read a custom field by bare key, falling back to the UI's ``extra__paddleflow__<key>`` form.

    An empty value (a form field left blank) counts as not given, so the setting keeps its default.
    """
    for candidate in (key, f"extra__{CONN_TYPE}__{key}"):
        value = extra.get(candidate)
        if value is not None and value != "":
            return value
    return None


def config_kwargs_from_connection(conn: Any) -> dict[str, Any]:
    """Map an Airflow Connection to ``ClientConfig`` keyword arguments (pure; no I/O).

    host/port/login/password come from the standard fields; every setting of
    ``connection_schema.SETTINGS`` from the extra, parsed and checked by that setting (so a bad value
    names its key before any request), and only when given: defaults stay the client's. The
    connection's own ``schema`` field is used as the scheme when the extra does not set one (so
    ``https://...`` URIs work).
    """
    extra: dict[str, Any] = dict(conn.extra_dejson or {})
    host = (conn.host or "").strip()
    if not host:
        raise ValueError(
            f"connection {conn.conn_id!r} has no host: set the PaddleFlow server host (e.g. 127.0.0.1)"
        )
    kwargs: dict[str, Any] = {
        "host": host,
        "port": str(conn.port) if conn.port else DEFAULT_PORT,
        "username": conn.login or None,
        "password": conn.password or None,
    }
    given = {s.name: s.parse(raw) for s in SETTINGS if (raw := _extra_value(extra, s.name)) is not None}
    if "scheme" not in given and conn.schema in ("http", "https"):
        given["scheme"] = conn.schema
    connect, read = given.pop("connect_timeout", None), given.pop("read_timeout", None)
    raw_both = _extra_value(extra, TIMEOUT_SHORTHAND.name)
    both = TIMEOUT_SHORTHAND.parse(raw_both) if raw_both is not None else None
    if connect is not None or read is not None or both is not None:
        given["timeout"] = (
            connect if connect is not None else (both or BY_NAME["connect_timeout"].default),
            read if read is not None else (both or BY_NAME["read_timeout"].default),
        )
    return kwargs | given


def ui_url_template_from_connection(conn: Any) -> str:
    """The connection's run-page URL template (``{base}`` and ``{run_id}`` placeholders)."""
    extra = dict(conn.extra_dejson or {})
    return str(_extra_value(extra, UI_URL_TEMPLATE.name) or DEFAULT_UI_URL_TEMPLATE)


def format_run_url(template: str, base_url: str, run_id: str) -> str:
    """Fill a UI URL template; a broken template degrades to the default rather than failing a task."""
    try:
        return template.format(base=base_url.rstrip("/"), run_id=run_id)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_UI_URL_TEMPLATE.format(base=base_url.rstrip("/"), run_id=run_id)


def _async_api_for(conn: Any) -> AsyncPaddleFlowAPI:
    from paddleflow_provider.client import AsyncPaddleFlowAPI, ClientConfig

    return AsyncPaddleFlowAPI(ClientConfig(**config_kwargs_from_connection(conn)))


class PaddleFlowHook(BaseHook):
    """Interact with a PaddleFlow server through the embedded SDK client.

    :param paddleflow_conn_id: Optional. The Airflow connection of type ``paddleflow``
        (default ``paddleflow_default``).
    """

    conn_name_attr = "paddleflow_conn_id"
    default_conn_name = "paddleflow_default"
    conn_type = CONN_TYPE
    hook_name = "PaddleFlow"

    def __init__(self, paddleflow_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(paddleflow_conn_id, str) or not paddleflow_conn_id:
            raise ValueError(f"paddleflow_conn_id must be a non-empty string, got {paddleflow_conn_id!r}")
        self.paddleflow_conn_id = paddleflow_conn_id
        self._logged_in = False

    # -- connection ---------------------------------------------------------------------------------

    @functools.cached_property
    def connection(self) -> Any:
        return self.get_connection(self.paddleflow_conn_id)

    def get_client_config(self) -> ClientConfig:
        """Settings of the client this connection describes (no network access)."""
        from paddleflow_provider.client import ClientConfig

        return ClientConfig(**config_kwargs_from_connection(self.connection))

    @functools.cached_property
    def client(self) -> Client:
        from paddleflow_provider.client import Client

        return Client.from_config(self.get_client_config())

    def get_conn(self) -> Client:
        """Return a logged-in client (logs in once per hook instance; the client re-logs in by itself
        when its token expires)."""
        client = self.client
        if client.config.username and not self._logged_in:
            client.api.login()
            self._logged_in = True
        return client

    @property
    def api(self) -> PaddleFlowAPI:
        """The raising, typed API of a logged-in client."""
        return self.get_conn().api

    def run_url(self, run_id: str) -> str:
        """Link to a run in the PaddleFlow UI, from the connection's ``ui_url_template``."""
        return format_run_url(
            ui_url_template_from_connection(self.connection), self.get_client_config().base_url, run_id
        )

    async def get_async_api(self) -> AsyncPaddleFlowAPI:
        """An async API for triggers; use it as ``async with await hook.get_async_api() as api``.

        The connection is resolved without blocking the event loop (``aget_connection`` on 3.x, a
        worker thread on 2.x); nothing here performs synchronous I/O in the loop thread. The client
        is built in a worker thread too: its first construction imports and sets up the HTTP stack
        (tens of milliseconds the triggerer's other triggers would wait for).
        """
        conn = await get_async_connection(self.paddleflow_conn_id)
        return await asyncio.to_thread(_async_api_for, conn)

    async def aget_run_url(self, run_id: str) -> str:
        """Async twin of :meth:`run_url` for code running in the triggerer."""
        conn = await get_async_connection(self.paddleflow_conn_id)
        from paddleflow_provider.client import ClientConfig

        base = ClientConfig(**config_kwargs_from_connection(conn)).base_url
        return format_run_url(ui_url_template_from_connection(conn), base, run_id)

    def test_connection(self) -> tuple[bool, str]:
        """Log in and list at most one run: read-only, one or two fast requests."""
        try:
            from paddleflow_provider.client import Client

            # A fresh client with no retries keeps the UI's test button quick on a dead host.
            client = Client.from_config(self.get_client_config().replace(max_attempts=1, timeout=(5.0, 10.0)))
            if client.config.username:
                client.api.login()
            client.api.list_run(maxsize=1)
        except Exception as err:  # the UI shows the message; never raise from here
            return False, f"{type(err).__name__}: {err}"
        return True, f"Connected to PaddleFlow at {client.config.base_url}"

    # -- connection form (Airflow 2.x, 3.0, 3.1; 3.2+ reads get_provider_info) ---------------------

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Relabel and hide standard fields in the connection form (pre-3.2 UIs)."""
        behaviour = UI_FIELD_BEHAVIOUR
        return {
            "hidden_fields": list(behaviour["hidden-fields"]),
            "relabeling": dict(behaviour["relabeling"]),
            "placeholders": dict(behaviour["placeholders"]),
        }

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Extra form fields for the 2.x UI, read from the same settings as the 3.2+ metadata."""
        # The 2.x web UI's form libraries: installed with that UI, untyped, and absent where mypy runs.
        from flask_appbuilder.fieldwidgets import BS3TextFieldWidget  # type: ignore[import-not-found]
        from flask_babel import lazy_gettext  # type: ignore[import-not-found]
        from wtforms import BooleanField, IntegerField, StringField  # type: ignore[import-untyped]

        widgets: dict[str, Any] = {}
        for setting in CONNECTION_FIELDS:
            label = lazy_gettext(setting.label)
            if setting.kind is bool:
                widgets[setting.name] = BooleanField(label, default=setting.default)
            elif setting.kind is int:
                widgets[setting.name] = IntegerField(label, widget=BS3TextFieldWidget())
            else:
                widgets[setting.name] = StringField(label, widget=BS3TextFieldWidget())
        return widgets
