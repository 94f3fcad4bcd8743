"""One long-lived LibreOffice behind unoserver: start, convert, watch, kill (for docgen.officepool).

unoserver (docs/conversion.md, "Converting with LibreOffice") runs under Debian's python3 + python3-uno in
`.venv-uno`, linked into the project's venv as `unoserver` by scripts/setup.sh. It starts one
soffice with the profile and UNO port it is given and serves one XML-RPC request at a time. Its
own client (`unoserver.client.UnoClient`) is not used: it has no socket timeout, retries a refused
connection 5 times 10 s apart and asks `info()` before every conversion. The client here is a
plain XML-RPC call with a socket timeout, which is all the protocol is.

Each instance runs in a process group of its own (unoserver, oosplash, soffice.bin), so a kill takes
all of it: unoserver's `stop()` does not stop LibreOffice and a killed unoserver leaves soffice.bin
holding the UNO port (docs/conversion.md, "Failure modes of a long-lived LibreOffice"). Any process
still naming the profile directory (an orphan of an earlier run) is killed before a start and after
a stop.

A lifeline process joins each group and reads a pipe only this process writes to. When this
process dies in any way (kill -9 included) the kernel closes the pipe, and the lifeline stops the
group: LibreOffice never outlives the run that started it.
"""

import contextlib
import http.client
import io
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from pathlib import Path

import psutil
from docx import Document

from docgen.convert import _PDF_FILTER, soffice_binary
from docgen.errors import ConversionError

# The same options as the batch path, in unoserver's "Name=value" form ("2" -> long, "true" -> bool).
FILTER_OPTIONS = [f"{name}={option['value']}" for name, option in _PDF_FILTER.items()]
# Named import filter: without it a non-zip .docx is imported as plain text (docs/conversion.md,
# "The exit status lies").
DOCX_IMPORT_FILTER = "MS Word 2007 XML"
_GRACE = 5.0  # seconds LibreOffice gets to exit on SIGTERM before the group is killed


_START_ERRORS = (ConversionError, OSError, subprocess.SubprocessError, psutil.Error)

# Run by `_lifeline` inside an instance's process group: at end of input (the owner is gone), SIGTERM
# the group, give LibreOffice the grace period, then SIGKILL what is left, the lifeline included.
_LIFELINE = f"""import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
sys.stdin.buffer.read()
os.killpg(0, signal.SIGTERM)
time.sleep({_GRACE})
os.killpg(0, signal.SIGKILL)
"""


class InstanceDown(ConversionError):
    """The instance died or hung during a conversion; it must be killed and started again."""


def unoserver_binary() -> str:
    """Path of unoserver: beside the running Python (the venv's bin), else on PATH.

    Raises ConversionError naming the setup step when it is missing."""
    beside = Path(sys.executable).parent / "unoserver"
    found = str(beside) if beside.exists() else shutil.which("unoserver")
    if not found:
        raise ConversionError("unoserver not found; run scripts/setup.sh")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def warm_up_docx() -> bytes:
    """A one-line Chinese document that loads Writer, the DOCX filter and the CJK fonts."""
    doc = Document()
    doc.add_paragraph("预热 warm-up")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


class _Transport(xmlrpc.client.Transport):
    """xmlrpc's HTTP transport with a socket timeout (the default has none)."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host: tuple[str, dict[str, str]] | str) -> http.client.HTTPConnection:
        conn = super().make_connection(host)
        conn.timeout = self._timeout
        return conn


class OfficeInstance:
    """One unoserver + soffice with its own profile directory, work directory and ports."""

    def __init__(
        self, *, profile_dir: Path, work_dir: Path, fonts_conf: Path, timeout: float, start_timeout: float
    ) -> None:
        self.profile_dir, self.work_dir = profile_dir.resolve(), work_dir.resolve()
        self.fonts_conf = fonts_conf
        self.timeout, self.start_timeout = timeout, start_timeout
        self.log_path = self.work_dir.parent / f"{self.work_dir.name}.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._lifeline: subprocess.Popen[bytes] | None = None
        self._soffice: psutil.Process | None = None
        self._port = 0

    @property
    def profile_arg(self) -> str:
        """The argument by which soffice.bin names this instance's profile."""
        return f"-env:UserInstallation={self.profile_dir.as_uri()}"

    def start(self) -> None:
        """Start unoserver and LibreOffice, wait until they answer, convert a warm-up document.

        Raises ConversionError (with the end of unoserver's log) if that fails within
        start_timeout twice, the second time with a fresh profile directory, and at once when
        unoserver or soffice is not installed."""
        unoserver_binary(), soffice_binary()
        try:
            self._start_once()
            return
        except _START_ERRORS as e:
            self.kill()
            first = e
        shutil.rmtree(self.profile_dir, ignore_errors=True)
        try:
            self._start_once()
        except _START_ERRORS as e:
            self.kill()
            raise ConversionError(f"LibreOffice did not start ({e}; with the old profile: {first})") from e

    def _start_once(self) -> None:
        self.kill()
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._port, uno_port = _free_port(), _free_port()
        while uno_port == self._port:  # unoserver refuses equal ports
            uno_port = _free_port()
        argv = [
            unoserver_binary(),
            *("--interface", "127.0.0.1", "--uno-interface", "127.0.0.1"),
            *("--port", str(self._port), "--uno-port", str(uno_port)),
            *("--user-installation", str(self.profile_dir), "--executable", soffice_binary()),
            *("--conversion-timeout", str(math.ceil(self.timeout))),
        ]
        drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}  # unoserver runs on another Python
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env["FONTCONFIG_FILE"] = str(self.fonts_conf)
        with self.log_path.open("wb") as log:
            self._proc = subprocess.Popen(
                argv, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log, process_group=0
            )
        self._lifeline = _lifeline(self._proc.pid)
        deadline = time.monotonic() + self.start_timeout
        while not self._answers():
            if self._proc.poll() is not None or time.monotonic() > deadline:
                state = "exited" if self._proc.poll() is not None else f"silent {self.start_timeout:.0f} s"
                raise ConversionError(f"unoserver did not start ({state}): {self.log_tail()}")
            time.sleep(0.25)
        self._soffice = self._find_soffice()
        listening = {c.laddr.port for c in self._soffice.net_connections("tcp") if c.status == "LISTEN"}
        if uno_port not in listening:  # another process (an orphan) holds the UNO port
            raise ConversionError(f"soffice.bin is not listening on the UNO port {uno_port}")
        self.convert(warm_up_docx())

    def _answers(self) -> bool:
        try:
            self._proxy(5.0).info()
            return True
        except (OSError, http.client.HTTPException, xmlrpc.client.Error):
            return False  # not listening yet, or listening before its functions are registered

    def _find_soffice(self) -> psutil.Process:
        pid = self._proc.pid if self._proc is not None else os.getpid()
        for child in psutil.Process(pid).children(recursive=True):
            if child.name() == "soffice.bin":
                return child
        raise ConversionError("unoserver answers but no soffice.bin runs under it")

    def _proxy(self, timeout: float) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{self._port}", allow_none=True, transport=_Transport(timeout)
        )

    @property
    def alive(self) -> bool:
        """unoserver and its soffice.bin are running (a stopped, hung one counts as alive)."""
        if self._proc is None or self._proc.poll() is not None or self._soffice is None:
            return False
        try:
            return self._soffice.is_running() and self._soffice.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False

    @property
    def soffice_pid(self) -> int | None:
        return self._soffice.pid if self._soffice is not None else None

    def rss_mb(self) -> float:
        """Resident memory of soffice.bin in MB (0 when it is gone)."""
        try:
            return self._soffice.memory_info().rss / 2**20 if self._soffice is not None else 0.0
        except psutil.NoSuchProcess:
            return 0.0

    def convert(self, docx: bytes) -> bytes:
        """Convert one .docx to PDF/A-2b; the output is checked (non-empty, %PDF- header).

        Raises InstanceDown when LibreOffice died, hung past the timeout or stopped answering,
        ConversionError when it is alive but could not convert this document."""
        src, out = self.work_dir / "in.docx", self.work_dir / "out.pdf"
        src.write_bytes(docx)
        out.unlink(missing_ok=True)
        try:
            self._proxy(self.timeout + 5).convert(
                str(src), None, str(out), "pdf", None, FILTER_OPTIONS, False, DOCX_IMPORT_FILTER, None
            )
        except xmlrpc.client.Fault as e:
            detail = e.faultString.strip()[-300:]
            if "TimeoutError" in detail:
                raise InstanceDown(f"LibreOffice did not finish within {self.timeout:.0f} s") from e
            if not self._still_alive():
                raise InstanceDown(f"LibreOffice died while converting ({detail})") from e
            raise ConversionError(f"LibreOffice could not convert it ({detail})") from e
        except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as e:
            what = "did not answer in time" if isinstance(e, TimeoutError) else "is gone"
            raise InstanceDown(f"unoserver {what} ({type(e).__name__}: {e})") from e
        pdf = out.read_bytes() if out.is_file() else b""
        if not pdf.startswith(b"%PDF-"):
            if not self._still_alive():
                raise InstanceDown("LibreOffice died while converting")
            raise ConversionError("LibreOffice's output is not a PDF" if pdf else "LibreOffice wrote no PDF")
        return pdf

    def _still_alive(self) -> bool:
        time.sleep(0.2)  # unoserver notices a dead LibreOffice just after the failing request
        return self.alive

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after a grace period; no orphans left."""
        self.kill(grace=_GRACE)

    def kill(self, *, grace: float = 0.0) -> None:
        """Kill the process group at once (grace=0: a hung LibreOffice ignores SIGTERM), then any
        process left that names this profile. Never raises for processes already gone."""
        proc, soffice, self._proc, self._soffice = self._proc, self._soffice, None, None
        lifeline, self._lifeline = self._lifeline, None
        if proc is not None:
            if grace:  # soffice.bin exits at once on SIGTERM; oosplash waits on, so it is killed
                _signal_group(proc.pid, signal.SIGTERM)
                if soffice is not None:
                    _wait_gone(soffice, grace)
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
            _wait_group(proc.pid, _GRACE)
        if lifeline is not None:  # killed with its group; reaped here
            lifeline.wait()
            if lifeline.stdin is not None:
                lifeline.stdin.close()
        for stray in psutil.process_iter(["cmdline"]):
            if self.profile_arg in (stray.info["cmdline"] or ()):
                try:
                    stray.kill()
                    stray.wait(_GRACE)
                except psutil.NoSuchProcess:
                    pass

    def log_tail(self) -> str:
        """The last lines unoserver and LibreOffice wrote."""
        try:
            return " | ".join(self.log_path.read_text(errors="replace").strip().splitlines()[-5:])
        except OSError:
            return "(no log)"


def _lifeline(pgid: int) -> subprocess.Popen[bytes]:
    """Start the lifeline of process group `pgid` (see the module's docstring). The write end of its
    pipe is close-on-exec, so no other child holds it open."""
    argv, quiet = [sys.executable, "-I", "-c", _LIFELINE], subprocess.DEVNULL
    return subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=quiet, stderr=quiet, process_group=pgid)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    for p in psutil.process_iter(["status"]):
        try:
            if p.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(p.pid) == pgid:
                return True
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return False


def _wait_gone(process: psutil.Process, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    try:
        while process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
            if time.monotonic() > deadline:
                return
            time.sleep(0.05)
    except psutil.NoSuchProcess:
        pass


def _wait_group(pgid: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
