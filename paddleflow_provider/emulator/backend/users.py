"""Users, passwords and login tokens.

Passwords are stored as salted scrypt hashes. A token is ``<payload>.<hmac>`` where the payload
names the user and a fingerprint of the stored hash, signed with a per-data-dir secret: tokens
survive a restart, never expire (the server default), and die when the password changes (the
fingerprint no longer matches, answered ``AuthFailed`` as the server does).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass

from ..caller import ROOT, Caller
from ..errors import PFError
from ..store import Row, Store
from ..util import USER_NAME_RE, Page, paginate, password_ok, rfc3339
from .access import only_root

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, salt_hex, digest_hex = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)).split("$")[2], digest_hex)


@dataclass(frozen=True)
class UserRecord:
    """A user as listed (the password hash never leaves this module)."""

    name: str
    create_time: str  # RFC 3339


def _fingerprint(stored_hash: str) -> str:
    return hashlib.sha256(stored_hash.encode()).hexdigest()[:24]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


#: Verified tokens remembered before the memory starts afresh (a bound, not a cache policy: the
#: emulator sees a handful of tokens).
_VERIFIED_TOKENS = 1024


class Users:
    """User accounts; keeps an in-memory fingerprint map so token checks never touch the DB."""

    def __init__(self, store: Store, root_password: str) -> None:
        self.store = store
        self._lock = threading.Lock()
        secret = store.meta_get("token_secret")
        if secret is None:
            secret = secrets.token_hex(32)
            store.meta_set("token_secret", secret)
        self._secret = bytes.fromhex(secret)
        if store.get("users", ROOT) is None:
            pw = hash_password(root_password)
            store.insert("users", {"name": ROOT, "createTime": rfc3339(), "_pw": pw}, key=ROOT)
        self._fp: dict[str, str] = {r.key: _fingerprint(r.doc["_pw"]) for r in store.select("users")}
        self._verified: dict[str, tuple[str, str]] = {}  # token -> its claims (``_claims``)

    # --- tokens ---------------------------------------------------------------------------------
    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode(), hashlib.sha256).digest())

    def _row(self, name: str) -> Row:
        row = self.store.get("users", name)
        if row is None:
            raise PFError("UserNotExist")
        return row

    def login(self, name: str, password: str) -> str:
        row = self._row(name)
        if not check_password(password, row.doc["_pw"]):
            raise PFError("AuthFailed")
        payload = _b64(json.dumps({"u": row.key, "f": self._fp[row.key]}).encode())
        return f"{payload}.{self._sign(payload)}"

    def authenticate(self, token: str | None) -> str:
        """The user a token belongs to, or the server's auth error."""
        if not token:
            raise PFError("AuthWithoutToken")
        name, fp = self._claims(token)
        current = self._fp.get(name)
        if current is None:
            raise PFError("UserNotExist")
        if not hmac.compare_digest(current, fp):
            raise PFError("AuthFailed")
        return name

    def _claims(self, token: str) -> tuple[str, str]:
        """The user and password fingerprint a well-signed token carries (else ``AuthInvalidToken``).

        A pure function of the token and the secret, so the answer is remembered: every request
        carries the same few tokens, and checking the signature each time was a tenth of a status
        read. Whether the user still exists with that password is checked on every request.
        """
        known = self._verified.get(token)
        if known is not None:
            return known
        payload, _, sig = token.partition(".")
        if not sig or not hmac.compare_digest(sig, self._sign(payload)):
            raise PFError("AuthInvalidToken")
        try:
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            verified = str(claims["u"]), str(claims["f"])
        except (ValueError, KeyError, TypeError):
            raise PFError("AuthInvalidToken") from None
        if len(self._verified) >= _VERIFIED_TOKENS:
            self._verified.clear()
        self._verified[token] = verified
        return verified

    # --- accounts -------------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        return name in self._fp

    def create(self, who: Caller, name: str, password: str) -> None:
        if not USER_NAME_RE.match(name):
            raise PFError("InvalidNamePattern", f"username[{name}] should match ^[A-Za-z0-9]{{4,16}}$")
        if not password_ok(password):
            raise PFError("UserPasswordWeak")
        only_root(who)
        with self.store.tx():
            if self.store.get("users", name) is not None or name.lower() == ROOT:
                raise PFError("UserNameDuplicated")
            pw = hash_password(password)
            self.store.insert("users", {"name": name, "createTime": rfc3339(), "_pw": pw}, key=name)
            self._fp[name] = _fingerprint(pw)

    def delete(self, who: Caller, name: str) -> None:
        only_root(who, "AccessDenied")
        if name.lower() == ROOT:
            raise PFError("AccessDenied", "root user can not be deleted")
        with self.store.tx():
            row = self._row(name)
            self.store.remove("users", row.pk)
            for grant in self.store.select("grants", owner=name):
                self.store.remove("grants", grant.pk)
            self._fp.pop(name, None)

    def update_password(self, who: Caller, name: str, password: str) -> None:
        if not password_ok(password):
            raise PFError("UserPasswordWeak")
        if not who.is_root and who.name != name:
            raise PFError("AccessDenied")
        with self.store.tx():
            row = self._row(name)
            row.doc["_pw"] = hash_password(password)
            self.store.update("users", row)
            self._fp[name] = _fingerprint(row.doc["_pw"])

    def list(self, who: Caller, marker: str | None, max_keys: int) -> Page[UserRecord]:
        only_root(who, "AccessDenied")
        rows = [
            (r.pk, UserRecord(r.key, r.doc["createTime"]))
            for r in self.store.select("users")
            if r.key.lower() != ROOT
        ]
        return paginate(rows, marker, max_keys)
