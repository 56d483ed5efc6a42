"""The access rules services share: root sees everything, a user only their own; some actions are root's."""

from __future__ import annotations

from ..caller import Caller
from ..errors import PFError
from ..store import Row, Store


def only_root(who: Caller, code: str = "OnlyRootAllowed") -> None:
    """Refuse anyone but root, with the code the server's handler uses for that action."""
    if not who.is_root:
        raise PFError(code)


def check_owner(who: Caller, owner: str, resource: str, key: str, code: str = "AccessDenied") -> None:
    """Refuse ``who`` unless root or ``owner``, with the server's ``has no access to resource[..]`` text."""
    if not who.is_root and owner != who.name:
        raise PFError(code, f"user[{who.name}] has no access to resource[{resource}] with ID[{key}]")


def owned_row(
    store: Store,
    kind: str,
    key: str,
    who: Caller,
    *,
    missing: tuple[str, str],
    resource: str,
    denied_code: str = "AccessDenied",
) -> Row:
    """The live row ``key`` of ``kind``; ``missing`` is the (code, message) of the not-found error."""
    row = store.get(kind, key)
    if row is None:
        raise PFError(*missing)
    check_owner(who, row.owner, resource, key, denied_code)
    return row
