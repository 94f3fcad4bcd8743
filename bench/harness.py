"""What the benchmarks share: a temporary titlecert instance driven through its CLI, its DEMO PKI
services in a separate process with an access log, and a certificate to seal again and again."""

import contextlib
import io
import json
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
from pypdf import PdfWriter

REPO = Path(__file__).resolve().parent.parent
TITLECERT = Path(sys.executable).parent / "titlecert"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def titlecert(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([str(TITLECERT), *args], env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"titlecert {' '.join(args)} failed:\n{proc.stderr}")
    return proc.stdout


@contextmanager
def pki_services(env: dict[str, str], log: Path) -> Iterator[None]:
    """`titlecert -v pki serve` in its own process (-v: the access log counts requests)."""
    url = env["TITLECERT_PKI_URL"]
    port = str(urlsplit(url).port)
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(TITLECERT), "-v", "pki", "serve", "--port", port], env=env, stdout=sink, stderr=sink
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()  # noqa: S310 - loopback
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"titlecert pki serve did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def one_applicant_session(tmp: Path) -> Path:
    """The bundled sample session cut to one applicant who passes the vote, written to
    `tmp`/one.json with its photo paths made absolute."""
    doc = json.loads((REPO / "examples" / "session.json").read_text(encoding="utf-8"))
    doc["applicants"] = doc["applicants"][1:2]  # one who passes the vote
    for applicant in doc["applicants"]:
        applicant["photo"] = str(REPO / "examples" / applicant["photo"])
    session = tmp / "one.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return session


def unsealed_certificate(env: dict[str, str], tmp: Path) -> bytes:
    """One certificate of the bundled sample as LibreOffice made it: issue one applicant at B-B,
    then keep the file's first revision (the seals are incremental updates after it)."""
    session = one_applicant_session(tmp)
    out = json.loads(
        titlecert(
            {**env, "TITLECERT_SIGNATURE_LEVEL": "B-B"},
            "issue",
            str(session),
            "--out",
            str(tmp / "issued"),
            "--json",
        )
    )
    sealed = Path(next(d["path"] for d in out["documents"] if d["kind"] == "certificate")).read_bytes()
    end = sealed.index(b"%%EOF") + len(b"%%EOF")
    while sealed[end : end + 1] in (b"\r", b"\n"):
        end += 1
    return sealed[:end]


def blank_page() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(842, 595)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


class AccessLog:
    """Counts the PKI service's requests by path from its access log."""

    def __init__(self, path: Path) -> None:
        self.path, self.seen = path, 0

    def since_last(self) -> Counter[str]:
        time.sleep(0.3)  # aiohttp logs a request just after answering it
        lines = self.path.read_text(errors="replace").splitlines()
        new, self.seen = lines[self.seen :], len(lines)
        return Counter(m.group(1) for line in new if (m := re.search(r'"(?:GET|POST) (/\w+)', line)))


# ---------------------------------------------------------------- the raw operations


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def cells(samples: list[float]) -> str:
    p90 = statistics.quantiles(samples, n=10)[-1] if len(samples) > 1 else samples[0]
    return f"{statistics.median(samples):.1f} | {p90:.1f} | {len(samples)}"


class TreeWatch:
    """Peak summed RSS of a process and all its descendants, sampled every 0.2 s, and their CPU."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak_mb = 0.0
        self.peak_by_name: dict[str, float] = {}
        """Each kind of process's summed RSS at the moment the tree's peaked (soffice.bin, python, …)."""
        self.cpu: dict[int, float] = {}
        self.names: dict[int, str] = {}
        """Each process's name, for CPU seconds by kind of process (`cpu_by_name`)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            rss = 0
            by_name: Counter[str] = Counter()
            with contextlib.suppress(psutil.NoSuchProcess):
                for p in [self.root, *self.root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        used = p.memory_info().rss
                        rss += used
                        by_name[p.name()] += used
                        t = p.cpu_times()
                        self.cpu[p.pid] = t.user + t.system + t.children_user + t.children_system
                        self.names[p.pid] = p.name()
            if rss / 2**20 > self.peak_mb:
                self.peak_mb = rss / 2**20
                self.peak_by_name = {name: used / 2**20 for name, used in by_name.items()}

    def stop(self) -> float:
        """Stop sampling; CPU seconds of the tree as last seen."""
        self._stop.set()
        self._thread.join()
        return sum(self.cpu.values())

    def cpu_by_name(self) -> dict[str, float]:
        """CPU seconds of the tree by kind of process (soffice.bin, python, …), as last seen."""
        totals: Counter[str] = Counter()
        for pid, seconds in self.cpu.items():
            totals[self.names.get(pid, "?")] += seconds
        return dict(totals)


def issue_timed(env: dict[str, str], session: Path, out: Path) -> dict[str, Any]:
    """`titlecert issue` of the session: wall and CPU seconds, peak RSS, documents by kind."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(TITLECERT), "issue", str(session), "--out", str(out), "--json", "--progress", "none"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    watch = TreeWatch(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    cpu = watch.stop()
    if proc.returncode != 0:
        sys.exit(f"titlecert issue failed:\n{stderr.decode(errors='replace')[-3000:]}")
    documents = json.loads(stdout)["documents"]
    kinds: dict[str, int] = {}
    for d in documents:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
    return {
        "wall": wall,
        "cpu": cpu,
        "peak_mb": watch.peak_mb,
        "peak_by_name": watch.peak_by_name,
        "cpu_by_name": watch.cpu_by_name(),
        "kinds": kinds,
        "documents": len(documents),
    }
