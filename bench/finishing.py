"""Benchmark: finishing one review form (the steps between LibreOffice and the seals), against the
whole-document operations they replaced, all measured in the same run.

Usage: bench/run finishing [--rounds N]     (bench/run sets up the machine and .venv first;
       .venv/bin/python bench/finishing.py takes the same arguments on a machine already set up)

In a temporary folder it runs `titlecert init` and issues one applicant of the bundled sample at
B-B with `titlecert issue` (LibreOffice, as in production), then takes the personnel-file review
form's first revision, LibreOffice's output, and times each finishing step on it in this process:
`check_pdf`, the page codes (`docgen.pagecodes`), the seal captions (`docgen.anchors`), and, as
the rows to compare, what those steps did before 2026-12-04: a pypdf clone and rewrite of the
whole document, and the text of every page extracted. CPU milliseconds (`time.process_time`).
Prints a Markdown table for docs/performance.md.
"""

import argparse
import io
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from harness import free_port, one_applicant_session, titlecert
from pypdf import PdfReader, PdfWriter

from docgen.anchors import REVIEW_FORM_SEAL_CAPTIONS, seal_boxes
from docgen.convert import check_pdf
from docgen.pagecodes import page_code, stamp_page_codes


def cpu_ms(step: Callable[[], object], rounds: int) -> list[float]:
    step()  # warm: imports, the QR library's tables, pypdf's caches
    samples = []
    for _ in range(rounds):
        started = time.process_time()
        step()
        samples.append((time.process_time() - started) * 1000)
    return samples


def converted_review_form(tmp: Path) -> tuple[bytes, str]:
    """A review form as LibreOffice wrote it (the revision before page codes and seals), and its number."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
    env.update(
        {
            "TITLECERT_HOME": str(tmp / "home"),
            "TITLECERT_PKI_URL": f"http://127.0.0.1:{free_port()}",
            "TITLECERT_PUBLIC_URL": "http://127.0.0.1:8080",
            "TITLECERT_SIGNATURE_LEVEL": "B-B",
        }
    )
    titlecert(env, "init")
    out = json.loads(
        titlecert(env, "issue", str(one_applicant_session(tmp)), "--out", str(tmp / "out"), "--json")
    )
    form = next(d for d in out["documents"] if d["kind"] == "review-form")
    issued = Path(form["path"]).read_bytes()
    return issued[: issued.index(b"%%EOF") + 5] + b"\n", form["form_no"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="titlecert-bench-") as tmp:
        pdf, form_no = converted_review_form(Path(tmp))
    pages = len(PdfReader(io.BytesIO(pdf)).pages)

    def codes() -> object:
        return stamp_page_codes(
            pdf,
            code_for_page=lambda page: page_code(form_no, "P", page),
            url_for=lambda code: f"http://127.0.0.1:8080/p/{code}",
        )

    def rewrite() -> object:
        out = io.BytesIO()
        PdfWriter(clone_from=PdfReader(io.BytesIO(pdf))).write(out)
        return out

    def every_page_text() -> object:
        return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]

    rows = [
        ("`check_pdf` (pages, fonts)", lambda: check_pdf("form.pdf", pdf, pages=(pages, pages))),
        ("page codes: one incremental update (`docgen.pagecodes`)", codes),
        ("before: pypdf clones and rewrites the whole document (what the codes cost)", rewrite),
        (
            "seal captions: pages read from the last (`docgen.anchors`)",
            lambda: seal_boxes(pdf, dict(REVIEW_FORM_SEAL_CAPTIONS)),
        ),
        ("before: the text of every page extracted", every_page_text),
    ]
    print(
        f"Run of {time.strftime('%Y-%m-%d %H:%M')}: one {pages}-page review form "
        f"({len(pdf) / 1024:.0f} KB as converted), {args.rounds} rounds, load average {load:.2f}.\n"
    )
    print("| step | median CPU ms | p90 CPU ms |")
    print("|---|---|---|")
    for name, step in rows:
        samples = cpu_ms(step, args.rounds)
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"| {name} | {statistics.median(samples):.1f} | {p90:.1f} |")


if __name__ == "__main__":
    main()
