"""``mount``: run the PaddleFlow FUSE client for a file system, locally.

Differences from the reference SDK, on purpose: no shell (an argument list, so names cannot inject
commands), the password never on the command line or in a log (it is handed over in the child's
environment as ``PF_PASSWORD``), and a missing binary is a clear error instead of a shell message.
The binary comes from the ``fuse_binary`` option or the ``fuse_env`` environment variable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from typing import TYPE_CHECKING, Any

from ._exceptions import InvalidArgumentError, PaddleFlowError
from ._validate import MAX_INT, encodable
from .endpoints.fs import show_fs

if TYPE_CHECKING:
    from ._auth import Auth
    from ._config import ClientConfig

MOUNT_TIMEOUT = 10.0
#: the reference's other spelling of ``mount``'s arguments (every face's ``mount`` takes it)
MOUNT_ALIASES = {"mountOptions": "mount_options"}
PASSWORD_ENV = "PF_PASSWORD"  # noqa: S105 - a variable name, not a secret


class MountError(PaddleFlowError):
    """The local mount could not be made (no binary, bad mount point, FUSE client failed)."""

    def __str__(self) -> str:
        return self.message  # the reference's exact texts, e.g. "<path> No such directory"


def is_mount(path: str) -> bool:
    return os.path.ismount(path)


def _binary(fuse_binary: str | None) -> str:
    candidate = fuse_binary or os.environ.get("fuse_env")  # noqa: SIM112 - the reference SDK's name or ""
    if not candidate:
        raise MountError(
            "mount: no FUSE client binary: set the fuse_env environment variable or fuse_binary=",
            code="FuseBinaryMissing",
        )
    found = shutil.which(candidate) if os.sep not in candidate else candidate
    if not found or not os.path.isfile(found) or not os.access(found, os.X_OK):
        raise MountError(
            f"mount: FUSE client binary not found or not executable: {candidate}", code="FuseBinaryMissing"
        )
    return found


_OPTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _options(mount_options: Any) -> list[str]:
    if mount_options is None:
        return []
    if not isinstance(mount_options, dict):
        raise InvalidArgumentError("mount_options", "a dict of option name -> value", mount_options)
    args = []
    for key, value in mount_options.items():
        if not isinstance(key, str) or not _OPTION_NAME.match(key):
            raise InvalidArgumentError("mount_options", "option names are plain words like 'block-size'", key)
        if "password" in key.lower():
            raise InvalidArgumentError(
                "mount_options", "the password is taken from the client, not an option"
            )
        args.append(f"--{key}={_option_value(key, value)}")
    return args


def _option_value(key: str, value: Any) -> str:
    """An option's value on the FUSE client's command line: text, a number or a bool (as ``true``)."""
    if isinstance(value, bool):
        return str(value).lower()
    if (isinstance(value, int) and abs(value) <= MAX_INT) or isinstance(value, float):
        return str(value)
    if isinstance(value, str):
        return encodable(f"mount_options[{key!r}]", value)
    raise InvalidArgumentError(
        f"mount_options[{key!r}]", f"a string, a bool or a number of at most {MAX_INT}", value
    )


def mount_flow(
    config: ClientConfig,
    auth: Auth,
    *,
    fuse_binary: str | None,
    fsname: str,
    path: str,
    mount_options: dict[str, Any] | None,
    username: str | None,
) -> Any:
    """Flow: look the fs up on the server, then start the FUSE client and wait for the mount point.

    It takes the client's settings and credentials, not the client: the FUSE client needs the same
    server and user, and nothing else of the face that starts it."""
    if not isinstance(path, str) or not path:
        raise InvalidArgumentError("path", "a local directory to mount on", path)
    extra = _options(mount_options)
    if not os.path.isdir(path):
        raise MountError(f"{path} No such directory", code="NoSuchDirectory")
    if is_mount(path):
        raise MountError(f"{path} is a mountpoint, can not be mounted twice", code="AlreadyMounted")
    binary = _binary(fuse_binary)
    fs = yield show_fs(fsname, username)
    if not auth.can_login:
        raise MountError(
            "mount: the FUSE client needs the client's username and password", code="NoCredentials"
        )
    owner = fs.owner or username or auth.username
    args = [
        binary,
        "mount",
        f"--fs-id=fs-{owner}-{fsname}",
        f"--mount-point={path}",
        f"--server={config.host}:{config.port}",
        f"--user-name={auth.username}",
        *extra,
    ]
    env = {**os.environ, PASSWORD_ENV: auth.password or ""}
    # A fresh 0600 file (mkstemp): a predictable name in a shared temp dir could be pre-created or
    # symlinked by another local user.
    log_fd, log_path = tempfile.mkstemp(prefix=f"paddleflow-mount-{fsname}-", suffix=".log")
    with os.fdopen(log_fd, "ab") as log:
        try:
            proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:  # executable bit set, but not a program the system can start
            raise MountError(
                f"mount: could not start the FUSE client {binary}: {exc.strerror or exc}",
                code="FuseBinaryMissing",
            ) from None
    deadline = time.monotonic() + MOUNT_TIMEOUT
    while time.monotonic() < deadline:
        if is_mount(path):
            return None
        code = proc.poll()
        if code is not None and code != 0:
            raise MountError(
                f"mount: FUSE client exited with code {code}; see {log_path}", code="FuseClientError"
            )
        time.sleep(0.1)
    raise MountError(
        f"mount: {path} was not mounted within {MOUNT_TIMEOUT:.0f}s; see {log_path}", code="MountTimeout"
    )
