"""A zygote for sandboxed work: one process that has imported the analysis once and forks one
short-lived, resource-limited child per job (docs/verification-threats.md, "Untrusted uploads").

Why not multiprocessing's "forkserver" context, which is this pattern: (1) its server inherits the
web process's environment (database URL, token PINs, store keys) and cannot be given another; the
sandbox's children get PATH only, as the fresh interpreters before them did. (2) Its client state is
a process-wide singleton: gunicorn builds the app in its arbiter and forks the workers, and a server
started there cannot be waited on from a worker. (3) On Python 3.11 `Process.start()` polls the other
threads' children and reads their exit statuses, so concurrent uploads race on each other's pipes.
What is left is about a hundred lines of the standard library's subprocess, socket and os.fork.

The protocol. The parent writes a job's input to a memfd and sends, over a SOCK_SEQPACKET socket
(one message is one job, so threads may send at once), the job's JSON header and three descriptors:
the input, the write end of an output pipe and the write end of a status pipe. The zygote forks; the
child makes the input its stdin and the output pipe its stdout, closes everything else, applies the
limits, and only then reads its input, runs the job and writes the job's bytes. The zygote writes
the child's pid, then, once it has reaped it, its wait status, to the status pipe. The parent holds
the wall clock and kills the child when it runs out.
"""

import contextlib
import gc
import importlib
import json
import logging
import os
import resource
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

log = logging.getLogger(__name__)

_NUMBER = struct.Struct("q")
_MAX_OUTPUT = 8 * 1024 * 1024
"""A job's answer is a small JSON document: more than this is garbage."""
_STARTUP_SECONDS = 120.0
"""How long the zygote may take to import the analysis (seconds on a loaded machine)."""
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Limits:
    """What one analysis may use."""

    memory_bytes: int = 1536 * 1024 * 1024
    """RLIMIT_AS of the worker."""
    cpu_seconds: int = 20
    """RLIMIT_CPU of the worker: the kernel stops it after this much CPU."""
    wall_seconds: float = 30.0
    """The parent kills the worker after this long, whatever it is doing."""
    open_files: int = 64


@dataclass(frozen=True)
class Outcome:
    """How one job ended, as the parent saw it."""

    output: bytes = b""
    exit_code: int | None = None
    """0 for success, the exit status, minus the signal that killed it, or None when unknown."""
    timed_out: bool = False


class ZygoteUnavailable(Exception):
    """The zygote could not be started."""


class Pool:
    """The parent's side: a lazily started zygote, restarted when it has died. Safe to share between
    threads; a process forked from the owner (a gunicorn worker) starts its own zygote."""

    def __init__(self, preload: tuple[str, ...] = ("verify.sandbox",)) -> None:
        self.preload = preload
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None

    @property
    def pid(self) -> int | None:
        """The zygote's process id, when one runs."""
        return self._proc.pid if self._proc and self._proc.poll() is None else None

    def run(self, call: str, payload: bytes, limits: Limits) -> Outcome:
        """Run `call` ("module:function", bytes in, bytes out) on `payload` in a fresh child.
        Raises ZygoteUnavailable when no zygote can be started."""
        header = json.dumps({"call": call, "limits": asdict(limits)}).encode()
        for attempt in (1, 2):
            outcome = self._attempt(header, payload, limits.wall_seconds)
            if outcome is not None:
                return outcome
            log.warning("sandbox zygote lost a job (attempt %d); starting another", attempt)
        raise ZygoteUnavailable("the sandbox zygote lost the job twice")

    def start(self) -> None:
        """Start the zygote now rather than on the first job (importing takes a second or two)."""
        with self._lock:
            self._running()

    def close(self) -> None:
        """Stop the zygote (it kills its children when its socket closes)."""
        with self._lock:
            self._stop()

    def _attempt(self, header: bytes, payload: bytes, wall: float) -> Outcome | None:
        """One try; None when the zygote died before forking (the caller tries once more)."""
        inp = os.memfd_create("sandbox-input", os.MFD_CLOEXEC)
        out_r, out_w = os.pipe()
        status_r, status_w = os.pipe()
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(inp, view) :]
            os.lseek(inp, 0, os.SEEK_SET)
            zygote = self._send(header, [inp, out_w, status_w])
            os.close(out_w)
            os.close(status_w)
            out_w = status_w = -1
            outcome = _await(out_r, status_r, time.monotonic() + wall)
            if outcome is None:
                self._discard(zygote)
            return outcome
        finally:
            for fd in (inp, out_r, out_w, status_r, status_w):
                if fd >= 0:
                    os.close(fd)

    def _send(self, header: bytes, fds: list[int]) -> "subprocess.Popen[bytes] | None":
        """Hand a job to the zygote; the zygote it went to."""
        with self._lock:
            for attempt in (1, 2):
                sock = self._running()
                try:
                    socket.send_fds(sock, [header], fds)
                    return self._proc
                except OSError:  # the zygote died since it was last seen alive
                    if attempt == 2:
                        raise ZygoteUnavailable("the sandbox zygote does not answer") from None
                    self._drop(self._proc)
        return None  # not reached

    def _discard(self, zygote: "subprocess.Popen[bytes] | None") -> None:
        with self._lock:
            self._drop(zygote)

    def _drop(self, zygote: "subprocess.Popen[bytes] | None") -> None:
        """Stop a zygote that dropped a job (it is dying, or wedged) unless already replaced."""
        if zygote is not None and zygote is self._proc:
            zygote.kill()
            self._stop()

    def _running(self) -> socket.socket:
        """The zygote's socket, starting the zygote when none runs (under the lock)."""
        if self._owner != os.getpid():  # forked: the zygote and its socket are the parent's
            if self._sock is not None:
                self._sock.close()
            self._owner, self._proc, self._sock = os.getpid(), None, None
        if self._proc is not None and self._proc.poll() is not None:
            self._stop()
        return self._sock or self._start()

    def _start(self) -> socket.socket:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # PATH only (no database URL, PIN or store key); the hash seed random per zygote
        env = {"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1"}
        with theirs:
            argv = [sys.executable, "-B", "-m", __name__, str(theirs.fileno()), *self.preload]
            proc = subprocess.Popen(
                argv,
                env=env,
                cwd=_ROOT,
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
            )
        ours.settimeout(_STARTUP_SECONDS)
        try:
            ready = ours.recv(16)
        except OSError:
            ready = b""
        ours.settimeout(None)
        self._proc, self._sock = proc, ours
        if ready != b"ready":
            self._stop()
            raise ZygoteUnavailable("the sandbox zygote did not start")
        log.info("sandbox zygote %d started", proc.pid)
        return ours

    def _stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc, self._sock = None, None


def _await(out_r: int, status_r: int, deadline: float) -> Outcome | None:
    """Collect the child's output and the zygote's word on it until both pipes close, or kill
    the child at the deadline."""
    output, status = bytearray(), bytearray()
    with selectors.DefaultSelector() as sel:
        sel.register(out_r, selectors.EVENT_READ, output)
        sel.register(status_r, selectors.EVENT_READ, status)
        while sel.get_map():
            remaining = deadline - time.monotonic()
            events = sel.select(remaining) if remaining > 0 else []
            if not events:  # the deadline
                _kill(status)
                return Outcome(timed_out=True)
            for key, _ in events:
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    sel.unregister(key.fd)
                key.data.extend(chunk)
            if len(output) > _MAX_OUTPUT:
                _kill(status)
                return Outcome(exit_code=None)
    if len(status) < _NUMBER.size:
        return None  # the zygote died before it forked
    if len(status) < 2 * _NUMBER.size:
        return Outcome(bytes(output), None)  # the zygote died while the child ran
    return Outcome(bytes(output), os.waitstatus_to_exitcode(_NUMBER.unpack_from(status, _NUMBER.size)[0]))


def _kill(status: bytearray) -> None:
    """Kill the child whose pid the status pipe gave, unless the zygote has already reaped it."""
    if len(status) >= _NUMBER.size and len(status) < 2 * _NUMBER.size:
        with contextlib.suppress(ProcessLookupError):
            os.kill(_NUMBER.unpack_from(status)[0], signal.SIGKILL)


# ---------------------------------------------------------------- the zygote and its children


def _limit(limits: dict[str, Any]) -> None:
    """Runs in the child before it reads its input. (RLIMIT_NPROC is left alone: it counts threads
    and every process of the user, so a small value breaks unrelated work.)"""
    memory, cpu, files = limits["memory_bytes"], limits["cpu_seconds"], limits["open_files"]
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child(request: dict[str, Any], inp: int, out: int) -> int:
    """The forked child: stdin the input, stdout the output, nothing else open; then the limits."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(inp, 0)
    os.dup2(out, 1)
    os.dup2(devnull, 2)  # what a library prints about a hostile file is for no one, as before
    highest = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    os.closerange(3, 65536 if highest == resource.RLIM_INFINITY else highest)
    module, _, name = request["call"].partition(":")
    job: Callable[[bytes], bytes] = getattr(importlib.import_module(module), name)
    _limit(request["limits"])
    with os.fdopen(0, "rb") as stdin:
        answer = memoryview(job(stdin.read()))
    while answer:
        answer = answer[os.write(1, answer) :]
    return 0


def _serve(control: socket.socket) -> None:
    """The zygote's loop: fork a child per job, report its pid and wait status, reap it."""
    children: dict[int, int] = {}  # pid: the write end of its status pipe
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # the wakeup fd, not the handler, does the work
    signal.set_wakeup_fd(wake_w)
    with selectors.DefaultSelector() as sel:
        sel.register(control, selectors.EVENT_READ)
        sel.register(wake_r, selectors.EVENT_READ)
        while True:
            for key, _ in sel.select():
                if key.fileobj is control:
                    message, fds, _, _ = socket.recv_fds(control, 65536, 3)
                    if not message:  # the parent has gone: so do the children
                        for pid in children:
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(pid, signal.SIGKILL)
                        return
                    if len(fds) == 3:
                        _fork(json.loads(message), fds, children)
                    else:
                        for fd in fds:
                            os.close(fd)
                else:
                    os.read(wake_r, 4096)
                    _reap(children)


def _fork(request: dict[str, Any], fds: list[int], children: dict[int, int]) -> None:
    inp, out, status = fds
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _child(request, inp, out)
        except BaseException:  # noqa: S110 - the exit status is the whole report
            pass
        finally:
            os._exit(code)
    os.close(inp)
    os.close(out)
    children[pid] = status
    if not _tell(status, pid):  # the parent gave up before the fork: no one would kill it
        os.kill(pid, signal.SIGKILL)


def _reap(children: dict[int, int]) -> None:
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if (status := children.pop(pid, None)) is not None:
            _tell(status, wait_status)
            os.close(status)


def _tell(fd: int, number: int) -> bool:
    try:
        os.write(fd, _NUMBER.pack(number))
    except OSError:  # the parent stopped waiting (it timed out)
        return False
    return True


def main(argv: list[str]) -> None:
    """`python -m verify.sandbox_pool FD MODULE...`: import the modules, then serve on socket FD."""
    fd, *preload = argv
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is for the server
    for module in preload:
        importlib.import_module(module)
    gc.freeze()  # the imported objects stay shared with the children, not copied on the first GC
    control = socket.socket(fileno=int(fd))
    control.send(b"ready")
    _serve(control)


if __name__ == "__main__":
    main(sys.argv[1:])
