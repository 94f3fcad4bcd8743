"""Benchmark: .docx -> PDF/A-2b conversion of one certificate, four ways, measured in the same run.

Usage: bench/run convert [--docs N] [--cold N]     (bench/run sets up the machine and .venv first;
       .venv/bin/python bench/convert.py takes the same arguments on a machine already set up)

The same rendered certificate (.docx, QR code and photo included) is converted:
1. cold: one `soffice --convert-to` process per document (`docgen.convert.convert_to_pdf` with one
   document), `--cold` documents (default 5), the profile made beforehand;
2. batch: one `soffice` process for all `--docs` documents (default 100), as issuing does today;
3. pool ×1 and 4. pool ×2: `docgen.officepool.OfficePool` of one and two instances, fed by as many
   threads as instances, after the pool has started (its start-up is reported beside it).

For each: docs/s (wall clock), CPU-s per document of LibreOffice's processes (soffice.bin,
oosplash, unoserver: finished children through getrusage, the pool's live processes through
psutil; the benchmark's own Python is not counted) and the peak of their summed resident memory,
sampled every 0.2 s. Every PDF is checked afterwards (one page, fonts embedded). Prints a Markdown
table for docs/performance.md.
"""

import argparse
import datetime as dt
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from docgen.convert import check_pdf, convert_to_pdf
from docgen.models import CertificateData
from docgen.officepool import OfficePool
from docgen.qr import qr_png
from docgen.render import render_certificate
from templates import FONTS_CONF
from titlecert.documents import template_of
from titlecert.kinds import DocumentKind

CERTIFICATE_DOCX = template_of(DocumentKind.CERTIFICATE)

DATA = CertificateData(
    certificate_no="CQZC2026000099",
    licence_id="1.2.156.3005.2.11100000000013338W999.11500000MB1234567A.CQZC2026000099.001.X",
    name="欧阳娜娜",
    sex="女",
    birth="1992年02月",
    id_type="居民身份证",
    id_number="500103199202290026",
    employer="重庆市大数据智能化产业技术研究院",
    series="工程技术",
    speciality="大数据智能化",
    title="高级工程师",
    level="副高级",
    obtained_by="评审",
    passed_on=dt.date(2025, 12, 21),
    committee="重庆市工程技术大数据智能化专业高级职称评审委员会",
    approval_no="渝职改办〔2026〕12号",
    issued_on=dt.date(2026, 1, 20),
    authority="重庆市职称改革办公室",
    verify_url="http://127.0.0.1:8080/v/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    verification_code="ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
    verify_domain="127.0.0.1:8080",
)


class Watch:
    """Samples the processes whose command line names `root`: peak summed RSS, and CPU seconds."""

    def __init__(self, root: Path) -> None:
        self.root, self.peak_mb = str(root), 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def processes(self) -> list[psutil.Process]:
        return [p for p in psutil.process_iter(["cmdline"]) if self.root in " ".join(p.info["cmdline"] or ())]

    def live_cpu(self) -> float:
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                continue
        return total

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            rss = 0
            for p in self.processes():
                try:
                    rss += p.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak_mb = max(self.peak_mb, rss / 2**20)

    def __enter__(self) -> "Watch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def measured(rows: list[list[str]], label: str, docs: int, root: Path, note: str = "") -> Iterator[Watch]:
    with Watch(root) as watch:
        cpu0, live0, start = children_cpu(), watch.live_cpu(), time.perf_counter()
        yield watch
        wall = time.perf_counter() - start
        cpu = children_cpu() - cpu0 + watch.live_cpu() - live0
    rows.append(
        [
            label,
            str(docs),
            f"{docs / wall:.2f}",
            f"{wall / docs:.3f}",
            f"{cpu / docs:.2f}",
            f"{watch.peak_mb:.0f}",
            note,
        ]
    )


def check_all(pdfs: list[bytes]) -> None:
    for i, pdf in enumerate(pdfs):
        check_pdf(f"doc {i}", pdf, pages=1)


def pooled(rows: list[list[str]], tmp: Path, docx: bytes, docs: int, size: int) -> None:
    root = tmp / f"pool{size}"
    start = time.perf_counter()
    with OfficePool(size=size, profile_root=root, fonts_conf=FONTS_CONF, recycle_after=docs + 1) as pool:
        started = time.perf_counter() - start
        results: list[bytes] = []
        todo = iter(range(docs))
        lock = threading.Lock()

        def work() -> None:
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                pdf = pool.convert(f"doc-{i}", docx)
                with lock:
                    results.append(pdf)

        label = f"pool ×{size} (`OfficePool`, {size} client thread{'s' if size > 1 else ''})"
        with measured(rows, label, docs, root, f"started in {started:.1f} s (not counted)"):
            threads = [threading.Thread(target=work) for _ in range(size)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        check_all(results)
        stats = pool.stats()
    assert sum(s.conversions for s in stats) == docs, stats  # noqa: S101 - a benchmark's self-check


def run(tmp: Path, docs: int, cold: int) -> list[list[str]]:
    docx = render_certificate(CERTIFICATE_DOCX, DATA, qr_png=qr_png(DATA.verify_url))
    rows: list[list[str]] = []
    cold_root, batch_root = tmp / "cold", tmp / "batch"
    convert_to_pdf([("first", docx)], profile_dir=cold_root, fonts_conf=FONTS_CONF)  # makes the profile
    convert_to_pdf([("first", docx)], profile_dir=batch_root, fonts_conf=FONTS_CONF)
    one: Callable[[int], bytes] = lambda i: convert_to_pdf(  # noqa: E731
        [(f"c{i}", docx)], profile_dir=cold_root, fonts_conf=FONTS_CONF
    )[f"c{i}"]
    with measured(rows, "cold: one `soffice` per document", cold, cold_root):
        pdfs = [one(i) for i in range(cold)]
    check_all(pdfs)
    with measured(rows, "batch: one `soffice` for all (`convert_to_pdf`)", docs, batch_root):
        batch = [(f"d{i}", docx) for i in range(docs)]
        out = convert_to_pdf(batch, profile_dir=batch_root, fonts_conf=FONTS_CONF)
    check_all(list(out.values()))
    pooled(rows, tmp, docx, docs, 1)
    pooled(rows, tmp, docx, docs, 2)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=100, help="documents for batch and pools (default 100)")
    parser.add_argument("--cold", type=int, default=5, help="documents for the cold path (default 5)")
    args = parser.parse_args()
    if shutil.which("soffice") is None:
        sys.exit("soffice not found: run scripts/setup.sh (or bench/run convert)")
    load_start, started = os.getloadavg(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="titlecert-bench-convert-") as tmp:
        rows = run(Path(tmp), args.docs, args.cold)
    load_end = os.getloadavg()
    print("| path | documents | docs/s | s/doc (wall) | CPU-s/doc (LibreOffice) | peak RSS MB | note |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(
        f"\n{os.cpu_count()} cores; load average (1 min) {load_start[0]:.2f} at the start, "
        f"{load_end[0]:.2f} at the end; the run took {time.perf_counter() - started:.0f} s."
    )


if __name__ == "__main__":
    main()
