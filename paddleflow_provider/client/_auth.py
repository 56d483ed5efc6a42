"""Credentials and the login token, shared by both transports.

Tokens live in one process-wide table keyed by server, user name and a hash of the password, so
that many short-lived clients (a trigger opens one per poll) do not each log in. The values stay in
memory only; the password itself is never a key, never logged and hidden from ``repr``.
"""

from __future__ import annotations

import hashlib

from ._core import Call, login_call
from ._exceptions import InvalidArgumentError
from ._validate import credential

#: (server, user name, sha256 of the password) -> token.
_TOKENS: dict[tuple[str, str, str], str] = {}


class Auth:
    """Credentials and the token of one client. Who may log in *when* (locks, re-login) is decided
    by the driver (``_drive``); this only holds the state."""

    def __init__(self, username: str | None, password: str | None, server: str = "") -> None:
        self.server = server
        self._username = username
        self._password = password
        self._key = self._make_key()

    def _make_key(self) -> tuple[str, str, str]:
        digest = hashlib.sha256((self._password or "").encode("utf-8")).hexdigest()
        return (self.server, self._username or "", digest)

    # The key is read on every request: computed when the credentials change, not per read.
    @property
    def username(self) -> str | None:
        return self._username

    @username.setter
    def username(self, value: str | None) -> None:
        self._username = value
        self._key = self._make_key()

    @property
    def password(self) -> str | None:
        return self._password

    @password.setter
    def password(self, value: str | None) -> None:
        self._password = value
        self._key = self._make_key()

    def key(self) -> tuple[str, str, str]:
        return self._key

    @property
    def token(self) -> str | None:
        return _TOKENS.get(self._key)

    @token.setter
    def token(self, value: str | None) -> None:
        if value is None:
            _TOKENS.pop(self._key, None)
        else:
            _TOKENS[self._key] = value

    @property
    def can_login(self) -> bool:
        return bool(self._username) and self._password is not None

    def drop(self, token: str | None) -> None:
        """Forget ``token`` unless another caller already replaced it with a fresh one."""
        if self.token == token:
            self.token = None

    def password_changed(self, user_name: str, password: str) -> None:
        """The server accepted a new password for ``user_name``: when that is this client's own user,
        keep using the new one (the next call logs in again with it)."""
        if self._username != user_name:
            return
        self.password = password
        self.token = None

    def login_call(self, username: str | None, password: str | None) -> Call[str]:
        """The login request for explicit credentials (which then replace the stored ones) or, without
        them, for the stored ones."""
        if username is not None or password is not None:
            user, secret = credential("user_name", username), credential("password", password)
            if not user or secret is None:
                raise InvalidArgumentError("user_name/password", "both are required to log in")
            self._username, self.password = user, secret
        if not self.can_login:
            raise InvalidArgumentError(
                "username/password", "no credentials: pass them to Client(...) / ClientConfig or to login()"
            )
        return login_call(self._username or "", self._password or "")

    def __repr__(self) -> str:
        return f"Auth(username={self.username!r}, password=<hidden>, token={'<set>' if self.token else None})"
