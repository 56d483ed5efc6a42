"""TLS settings both transports share: which CA bundle to trust, and one context per setting.

One rule for both faces: ``verify=False`` trusts anything; a ``ca_bundle`` (file or directory) is
trusted alone; otherwise the bundle named by ``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE`` (the
variables users of ``requests`` and curl already set), else certifi's.
"""

from __future__ import annotations

import functools
import os
import ssl

from ._config import ClientConfig


def verify_setting(config: ClientConfig) -> bool | str:
    """``False``, or the CA bundle path to trust, or ``True`` for certifi's bundle."""
    verify = config.verify_arg
    if verify is True:
        return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    return verify


@functools.lru_cache(maxsize=16)
def ssl_context(verify: bool | str) -> ssl.SSLContext:
    """One TLS context per verify setting, shared by every client in the process.

    Building one loads the CA bundle (about 30 ms of CPU); triggers open a client per poll, so doing
    that each time would block the event loop for seconds when a thousand of them poll at once.
    """
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    try:
        import certifi
    except ImportError:  # pragma: no cover - requests and httpx depend on certifi
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())
