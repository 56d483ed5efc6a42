"""Step processes: spawn, log, reap and stop them, for every run, from one I/O thread.

Why one thread: 100 runs at once must not mean hundreds of threads or busy polling. A single daemon thread
waits in ``epoll`` on each process's output pipe and on a Linux ``pidfd`` that becomes readable when the
process exits. Output is timestamped line by line and appended to the job's log file as it arrives (readable
while the step runs). When the shell exits, the rest of its process group is killed, as a container's
processes die with its main process, so nothing is left behind. Stopping sends SIGTERM to the group and
SIGKILL after a grace period.

Each step is started through a tiny exec wrapper: ``/bin/sh`` blocks reading its stdin (a pipe) until the
caller's ``on_spawned`` hook has run, then points stdin at ``/dev/null`` and replaces itself (``exec``)
with ``/bin/sh -c <command>`` in the same process. So the hook (first statistics sample, the orphan record)
always sees the step's own, already exec'd process alive, however short the command is, and the command
text reaches the shell unchanged (same ``$0``, same line numbers in its error messages).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .logs import rfc3339_nano
from .per_process import PerProcess

log = logging.getLogger(__name__)

EOF_GRACE_S = 2.0  # after the shell exits, how long a stray holder of the pipe may delay the end of the log
MAX_PARTIAL = 1 << 20  # a line longer than this is written out in pieces
# $1 is the step's command; stdin is the start barrier until the first line (or EOF) arrives
EXEC_WRAPPER = 'read -r _; exec </dev/null; exec /bin/sh -c "$1"'


@dataclass(eq=False)
class ProcessHandle:
    """A running step process; ``returncode``/``rusage`` are set once it has been reaped."""

    job_id: str
    pid: int
    popen: subprocess.Popen[bytes]
    log_fd: int
    on_exit: Callable[[ProcessHandle], None]
    started: float = field(default_factory=time.time)
    returncode: int | None = None  # None after the exit when the status was lost (reaped elsewhere)
    rusage: Any = None
    ended: float | None = None
    term_requested: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    _partial: bytes = b""
    _pipe_open: bool = True
    _reaped: bool = False
    _pidfd: int = -1
    _kill_at: float | None = None
    _eof_deadline: float | None = None
    _finished: bool = False

    @property
    def alive(self) -> bool:
        return not self._reaped


class ProcessPump:
    """The single I/O thread and the registry of live step processes."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, ("wake", None))
        self._pending: list[ProcessHandle] = []
        self._live: set[ProcessHandle] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="pf-workflow-procs", daemon=True)
        self._thread.start()

    # -- API used by runners

    def spawn(
        self,
        job_id: str,
        command: str,
        *,
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path,
        on_exit: Callable[[ProcessHandle], None],
        on_spawned: Callable[[ProcessHandle], None] | None = None,
    ) -> ProcessHandle:
        """Start ``/bin/sh -c command`` in its own process group; ``on_exit`` runs on the I/O thread.

        ``on_spawned`` runs here, before the command starts (see the module docstring); whatever it does or
        raises, the command is released afterwards.
        """
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        gate_r, gate_w = os.pipe()
        try:
            popen = subprocess.Popen(
                ["/bin/sh", "-c", EXEC_WRAPPER, "/bin/sh", command],
                cwd=str(cwd),
                env=dict(env),
                stdin=gate_r,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        except OSError:
            os.close(log_fd)
            os.close(gate_w)
            raise
        finally:
            os.close(gate_r)
        handle = ProcessHandle(job_id=job_id, pid=popen.pid, popen=popen, log_fd=log_fd, on_exit=on_exit)
        try:
            assert popen.stdout is not None
            os.set_blocking(popen.stdout.fileno(), False)
            handle._pidfd = os.pidfd_open(popen.pid)
            with self._lock:
                self._pending.append(handle)
                self._live.add(handle)
            self._wake()
            if on_spawned is not None:
                on_spawned(handle)
        finally:
            with contextlib.suppress(OSError):  # the child may already be gone (killed): nothing to release
                os.write(gate_w, b"\n")
            os.close(gate_w)
        return handle

    def terminate(self, handle: ProcessHandle, grace: float) -> None:
        """SIGTERM the process group now, SIGKILL it after ``grace`` seconds if it is still alive."""
        with handle.lock:
            if handle._reaped:
                return
            handle.term_requested = True
            _signal_group(handle.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            # a second stop (say, a force stop after a plain one) may shorten the grace, never extend it
            handle._kill_at = deadline if handle._kill_at is None else min(handle._kill_at, deadline)
        self._wake()

    def kill_all(self) -> None:
        """SIGKILL every live process group (server shutdown / interpreter exit)."""
        with self._lock:
            handles = list(self._live)
        for handle in handles:
            with handle.lock:
                if not handle._reaped:
                    handle.term_requested = True
                    _signal_group(handle.pid, signal.SIGKILL)

    def live_count(self) -> int:
        with self._lock:
            return len(self._live)

    # -- the I/O thread

    def _wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"x")

    def _loop(self) -> None:
        while True:
            try:
                self._iterate()
            except Exception:  # keep serving every other process whatever happens to one
                log.exception("workflow process pump iteration failed")
                time.sleep(0.05)

    def _iterate(self) -> None:
        timeout = self._next_timeout()
        for key, _ in self._selector.select(timeout):
            kind, handle = key.data
            if kind == "wake":
                with contextlib.suppress(BlockingIOError):
                    while os.read(self._wake_r, 4096):
                        pass
            elif kind == "out":
                self._read(handle)
            elif kind == "pid":
                self._reap(handle)
        with self._lock:
            pending, self._pending = self._pending, []
        for handle in pending:
            assert handle.popen.stdout is not None
            self._selector.register(handle.popen.stdout.fileno(), selectors.EVENT_READ, ("out", handle))
            self._selector.register(handle._pidfd, selectors.EVENT_READ, ("pid", handle))
        self._deadlines()

    def _next_timeout(self) -> float | None:
        now = time.monotonic()
        deadlines = []
        with self._lock:
            for handle in self._live:
                for moment in (handle._kill_at, handle._eof_deadline):
                    if moment is not None:
                        deadlines.append(moment - now)
            if self._pending:
                return 0.0
        return max(0.0, min(deadlines)) if deadlines else None

    def _deadlines(self) -> None:
        now = time.monotonic()
        with self._lock:
            handles = list(self._live)
        for handle in handles:
            with handle.lock:
                if handle._kill_at is not None and now >= handle._kill_at:
                    handle._kill_at = None
                    if not handle._reaped:
                        _signal_group(handle.pid, signal.SIGKILL)
            if handle._eof_deadline is not None and now >= handle._eof_deadline and handle._pipe_open:
                self._close_pipe(handle)
                self._finish(handle)

    def _read(self, handle: ProcessHandle) -> None:
        assert handle.popen.stdout is not None
        try:
            chunk = os.read(handle.popen.stdout.fileno(), 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close_pipe(handle)
            self._finish(handle)
            return
        data = handle._partial + chunk
        *lines, rest = data.split(b"\n")
        if len(rest) > MAX_PARTIAL:
            lines.append(rest)
            rest = b""
        handle._partial = rest
        self._write_lines(handle, lines)

    def _write_lines(self, handle: ProcessHandle, lines: list[bytes]) -> None:
        if not lines:
            return
        stamp = rfc3339_nano().encode()
        payload = b"".join(stamp + b" " + line + b"\n" for line in lines)
        with contextlib.suppress(OSError):
            os.write(handle.log_fd, payload)

    def _close_pipe(self, handle: ProcessHandle) -> None:
        if not handle._pipe_open:
            return
        handle._pipe_open = False
        assert handle.popen.stdout is not None
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(handle.popen.stdout.fileno())
        if handle._partial:
            self._write_lines(handle, [handle._partial])
            handle._partial = b""
        handle.popen.stdout.close()

    def _reap(self, handle: ProcessHandle) -> None:
        with handle.lock:
            try:
                pid, status, rusage = os.wait4(handle.pid, os.WNOHANG)
                code: int | None = os.waitstatus_to_exitcode(status) if pid else None
            except ChildProcessError:
                # reaped elsewhere (e.g. a Popen.poll()): keep the status it saw, never invent a success
                pid, code, rusage = handle.pid, handle.popen.returncode, None
            if pid == 0:
                return
            handle._reaped = True
            handle.ended = time.time()
            handle.returncode = code
            handle.popen.returncode = code
            handle.rusage = rusage
            handle._kill_at = None
            # whatever the shell left running in its group dies with it, like a container's processes
            _signal_group(handle.pid, signal.SIGKILL)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(handle._pidfd)
        os.close(handle._pidfd)
        handle._eof_deadline = time.monotonic() + EOF_GRACE_S
        self._finish(handle)

    def _finish(self, handle: ProcessHandle) -> None:
        if handle._finished or handle._pipe_open or not handle._reaped:
            return
        handle._finished = True
        handle._eof_deadline = None
        with contextlib.suppress(OSError):
            os.close(handle.log_fd)
        with self._lock:
            self._live.discard(handle)
        try:
            handle.on_exit(handle)
        except Exception:
            log.exception("on_exit callback failed for job %s", handle.job_id)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _new_pump() -> ProcessPump:
    pump = ProcessPump()
    atexit.register(pump.kill_all)  # no job outlives the interpreter
    return pump


_pump = PerProcess(_new_pump)


def get_pump() -> ProcessPump:
    """The process-wide pump, created on first use (and killed-off at interpreter exit)."""
    return _pump.get()
