"""The pool of long-lived LibreOffice instances, against real LibreOffice: documents of the real
templates, concurrency, a crash, a hang, garbage input, recycling, and no orphans afterwards."""

import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from pypdf import PdfReader

from docgen.context import Copy, review_form_context
from docgen.convert import check_pdf
from docgen.errors import ConversionError
from docgen.load import load_session
from docgen.officepool import OfficePool
from docgen.qr import qr_png
from docgen.render import render_certificate, render_docx
from templates import FONTS_CONF
from tests.conftest import REPO, SAMPLE_SESSION
from tests.integration.test_certificate_document import DATA
from titlecert.documents import template_of
from titlecert.kinds import DocumentKind

CERTIFICATE_DOCX = template_of(DocumentKind.CERTIFICATE)
REVIEW_FORM_DOCX = template_of(DocumentKind.REVIEW_FORM)

TIMEOUT = 8.0
NAMES = ["欧阳娜娜", "张伟", "王芳", "李强", "刘洋", "陈静", "杨帆", "赵磊"]


def certificate(name: str) -> bytes:
    data = DATA.model_copy(update={"name": name})
    return render_certificate(CERTIFICATE_DOCX, data, qr_png=qr_png(data.verify_url))


def flat_text(pdf: bytes) -> str:
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace(" ", "").replace("\n", "")


def processes_under(root: Path) -> list[psutil.Process]:
    """Live processes whose command line names a path under `root` (unoserver, oosplash, soffice.bin)."""
    found = []
    for p in psutil.process_iter(["cmdline", "status"]):
        if p.info["status"] != psutil.STATUS_ZOMBIE and str(root) in " ".join(p.info["cmdline"] or ()):
            found.append(p)
    return found


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OfficePool]:
    root = tmp_path_factory.mktemp("officepool")
    with OfficePool(size=2, profile_root=root, fonts_conf=FONTS_CONF, timeout=TIMEOUT) as p:
        yield p
    assert processes_under(root) == []


def total(pool: OfficePool, field: str) -> int:
    return sum(getattr(s, field) for s in pool.stats())


def test_converts_the_certificate_and_a_review_form_to_pdf_a_2b(pool: OfficePool) -> None:
    pdf = pool.convert("cert", certificate("欧阳娜娜"))
    check_pdf("cert", pdf, pages=1)
    xmp = PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>2</pdfaid:part>" in xmp and b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "欧阳娜娜" in flat_text(pdf) and "CQZC2026000099" in flat_text(pdf)

    loaded = load_session(SAMPLE_SESSION)
    s = loaded.session
    ctx = review_form_context(s, s.applicants[1], form_no="PS2026000009", copy=Copy.PERSONNEL_FILE)
    form = pool.convert("form", render_docx(REVIEW_FORM_DOCX, ctx))
    check_pdf("form", form, pages=(4, 40))
    assert "PS2026000009" in flat_text(form)


def test_threads_share_two_instances_and_each_gets_its_own_pdf(pool: OfficePool) -> None:
    before = [s.conversions for s in pool.stats()]
    docs = {name: certificate(name) for name in NAMES}
    results: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def work(names: list[str]) -> None:
        try:
            for name in names:
                results[name] = pool.convert(name, docs[name])
        except BaseException as e:  # noqa: BLE001 - reported by the test
            errors.append(e)

    threads = [threading.Thread(target=work, args=(NAMES[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sorted(results) == sorted(NAMES)
    for name, pdf in results.items():
        check_pdf(name, pdf, pages=1)
        text = flat_text(pdf)
        assert name in text and not any(other in text for other in NAMES if other != name)
    after = [s.conversions for s in pool.stats()]
    assert all(a > b for a, b in zip(after, before, strict=True))  # both instances worked


def test_a_killed_libreoffice_is_restarted_and_the_next_conversions_succeed(pool: OfficePool) -> None:
    restarts = total(pool, "restarts")
    victim = pool.stats()[0].soffice_pid
    assert victim is not None
    os.kill(victim, signal.SIGKILL)
    for name in NAMES[:2]:  # one of the two lands on the restarted instance
        check_pdf(name, pool.convert(name, certificate(name)), pages=1)
    assert total(pool, "restarts") == restarts + 1
    assert victim not in [s.soffice_pid for s in pool.stats()]


def test_a_killed_unoserver_leaves_no_orphan_holding_the_uno_port(pool: OfficePool) -> None:
    """A killed unoserver leaves soffice.bin running on its UNO port, and a new one would convert
    through the orphan (docs/conversion.md, "Failure modes of a long-lived LibreOffice"). The pool
    kills the whole group before starting again."""
    restarts = total(pool, "restarts")
    orphans = [psutil.Process(pid) for pid in (s.soffice_pid for s in pool.stats()) if pid is not None]
    for soffice in orphans:
        unoserver = next(p for p in soffice.parents() if "unoserver" in " ".join(p.cmdline()))
        unoserver.kill()
    for name in NAMES[:2]:
        check_pdf(name, pool.convert(name, certificate(name)), pages=1)
    assert total(pool, "restarts") == restarts + 2
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in orphans)


def test_a_hung_libreoffice_hits_the_timeout_is_replaced_and_the_document_retried(pool: OfficePool) -> None:
    restarts, failures = total(pool, "restarts"), total(pool, "failures")
    stopped = [s.soffice_pid for s in pool.stats()]
    for pid in stopped:  # whichever instance takes the document is hung
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        pdf = pool.convert("after-hang", certificate("张伟"))
        took = time.monotonic() - start
    finally:
        for pid in stopped:
            assert pid is not None
            if psutil.pid_exists(pid):
                os.kill(pid, signal.SIGCONT)
    check_pdf("after-hang", pdf, pages=1)
    assert TIMEOUT <= took < TIMEOUT + 60
    assert (total(pool, "restarts"), total(pool, "failures")) == (restarts + 1, failures + 1)
    now = [s.soffice_pid for s in pool.stats()]
    assert len(set(now) & set(stopped)) == 1  # the hung one was replaced, the other resumed
    for name in NAMES[:2]:
        check_pdf(name, pool.convert(name, certificate(name)), pages=1)


BROKEN = {
    "random": lambda: os.urandom(4096),
    "truncated": lambda: certificate("王芳")[:20_000],
    "text": lambda: b"plain text, not a .docx",  # soffice --convert-to would print it as text
}


@pytest.mark.parametrize("kind", BROKEN)
def test_a_document_libreoffice_cannot_convert_is_named_and_the_pool_keeps_going(
    pool: OfficePool, kind: str
) -> None:
    data = BROKEN[kind]()
    restarts = total(pool, "restarts")
    with pytest.raises(ConversionError, match=r"^broken-document-7: LibreOffice could not convert it"):
        pool.convert("broken-document-7", data)
    check_pdf("next", pool.convert("next", certificate("李强")), pages=1)
    assert total(pool, "restarts") == restarts


def test_instances_are_recycled_after_n_conversions_and_past_the_memory_bound(tmp_path: Path) -> None:
    doc = certificate("刘洋")
    with OfficePool(size=1, profile_root=tmp_path, fonts_conf=FONTS_CONF, recycle_after=2) as pool:
        first = pool.stats()[0].soffice_pid
        for i in range(3):
            check_pdf(f"r{i}", pool.convert(f"r{i}", doc), pages=1)
        assert pool.wait_idle(60)
        [stats] = pool.stats()
        assert (stats.conversions, stats.recycles, stats.restarts) == (3, 1, 0)
        assert stats.soffice_pid != first
        pool.max_rss_mb = 1  # any LibreOffice is past that: recycled after its next document
        check_pdf("r3", pool.convert("r3", doc), pages=1)
        assert pool.wait_idle(60)
        assert pool.stats()[0].recycles == 2
        check_pdf("r4", pool.convert("r4", doc), pages=1)
        assert pool.wait_idle(60)  # recycled again (still past 1 MB), and running
        assert pool.stats()[0].recycles == 3
        assert len(processes_under(tmp_path)) >= 3  # unoserver, oosplash, soffice.bin
    assert processes_under(tmp_path) == []


def test_libreoffice_does_not_outlive_a_run_killed_with_sigkill(tmp_path: Path) -> None:
    """A batch killed with kill -9 runs no cleanup code; its instances' lifelines stop LibreOffice."""
    owner = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from docgen.officepool import OfficePool
            from templates import FONTS_CONF
            with OfficePool(size=2, profile_root=Path({str(tmp_path)!r}), fonts_conf=FONTS_CONF):
                print("ready", flush=True)
                time.sleep(600)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert owner.stdout is not None and owner.stdout.readline() == "ready\n"
        running = processes_under(tmp_path)
        assert sum("soffice.bin" in " ".join(p.cmdline()) for p in running) == 2
        owner.kill()
        owner.wait()
        psutil.wait_procs(running, timeout=15)
        assert processes_under(tmp_path) == []
    finally:
        owner.kill()
        owner.communicate()


def test_an_instance_is_recycled_when_it_has_grown_past_the_bound_since_its_first_document(
    tmp_path: Path,
) -> None:
    doc = certificate("周敏")
    with OfficePool(size=1, profile_root=tmp_path, fonts_conf=FONTS_CONF, max_growth_mb=10_000) as pool:
        for i in range(2):
            check_pdf(f"g{i}", pool.convert(f"g{i}", doc), pages=1)
        assert pool.wait_idle(60)
        assert pool.stats()[0].recycles == 0  # well under the bound: never recycled
        pool.max_growth_mb = -1  # any instance has "grown" past that since its first document
        check_pdf("g2", pool.convert("g2", doc), pages=1)
        assert pool.wait_idle(60)
        assert pool.stats()[0].recycles == 1
        check_pdf("g3", pool.convert("g3", doc), pages=1)  # the first of the new instance: its baseline
        assert pool.wait_idle(60)
        assert pool.stats()[0].recycles == 1
