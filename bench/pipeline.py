"""Benchmark: issuing a whole session end to end, against LibreOffice's ceiling and a naive pipeline,
and on one and two Celery workers, all in the same run.

Usage: bench/run pipeline [--applicants 500] [--naive 8] [--celery 40] [--level B-LTA]
       (bench/run sets up the machine and .venv first; .venv/bin/python bench/pipeline.py takes the
       same arguments on a machine already set up)

In a temporary folder: `titlecert init` (DEMO PKI), `titlecert pki serve` in a process of its own,
`titlecert sample --applicants N`, then
1. pipeline: `titlecert issue` of the whole session (SQLite, the LibreOffice pool, the sealing
   processes), timed; CPU seconds of the whole process tree; peak of the tree's summed RSS sampled
   every 0.2 s (LibreOffice and the sealing processes included);
2. ceiling: the same certificate converted by a warm `OfficePool` of one instance per core, fed by
   two threads per instance (bench/convert.py's measurement), and the same for a review form:
   converting alone, with nothing rendered, sealed or registered, is as fast as issuing can go;
3. naive: the first `--naive` applicants issued through the same unit of work
   (`titlecert.jobs.work.process_unit`), one unit after another, with a cold `soffice` per
   document and the sealing keys, font and clients loaded again for every document;
4. Celery: `--celery` applicants issued with TITLECERT_BROKER_URL (Redis) and the registry on
   PostgreSQL, by one `titlecert worker --concurrency 1`, then by two (skipped, saying so, when
   Redis or PostgreSQL is not reachable).
Prints Markdown tables for docs/performance.md.
"""

import argparse
import datetime as dt
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from celery_run import celery_rows
from convert import DATA, measured, pooled
from harness import free_port, issue_timed, pki_services, titlecert

from docgen.convert import convert_to_pdf
from docgen.load import load_session
from docgen.officepool import OfficePool
from docgen.qr import qr_png
from docgen.render import render_certificate
from templates import FONTS_CONF
from titlecert import sealing as sealing_module
from titlecert.bootstrap import bootstrap, calendar_of
from titlecert.documents import template_of
from titlecert.jobs.inputs import inputs_of
from titlecert.jobs.opening import open_job
from titlecert.jobs.outcome import finish_job
from titlecert.jobs.process import process_unit
from titlecert.jobs.work import WorkContext, load_unit, render
from titlecert.kinds import DocumentKind
from titlecert.settings import from_env

CERTIFICATE_DOCX = template_of(DocumentKind.CERTIFICATE)


class ColdConverter:
    """The naive conversion: a new `soffice` process for every document."""

    def __init__(self, profile: Path) -> None:
        self.profile = profile

    def convert(self, name: str, docx: bytes) -> bytes:
        return convert_to_pdf([(name, docx)], profile_dir=self.profile, fonts_conf=FONTS_CONF)[name]


def naive_issue(env: dict[str, str], session: Path, out: Path) -> dict[str, Any]:
    """Issue a session through the product's unit of work, one unit after another, with a cold
    soffice per document and the keys loaded again for every document."""
    settings = from_env(env)
    loaded = load_session(session, calendar_of(settings), fonts_conf=FONTS_CONF)
    fresh = sealing_module.batch_sealing
    original = sealing_module.process_sealing
    sealing_module.process_sealing = fresh  # type: ignore[assignment] # keys, font, clients per document
    ctx = WorkContext.of(bootstrap(settings))
    try:
        start = time.perf_counter()
        inputs = inputs_of(loaded, calendar_of(settings))
        opened = open_job(
            settings,
            loaded,
            inputs,
            out,
            registry=ctx.registry,
            store=ctx.store,
            secret=ctx.secret,
            supersede=None,
            today=dt.date.today(),
        )
        assert opened.job_id is not None  # noqa: S101 - a benchmark's self-check

        with ctx.registry.transaction() as ledger:
            units = [u.id for u in ledger.jobs.units(opened.job_id)]
        mix = [docx for unit in units for docx in render(load_unit(ctx, unit))]
        with tempfile.TemporaryDirectory() as profile:
            converter = ColdConverter(Path(profile))
            for unit in units:
                process_unit(ctx, converter, unit)
        with ctx.registry.transaction() as ledger:
            errors = [u.error for u in ledger.jobs.units(opened.job_id) if u.error]
        if errors:
            sys.exit("naive pipeline: " + "; ".join(errors))
        result = finish_job(ctx, opened.job_id)
        wall = time.perf_counter() - start
    finally:
        sealing_module.process_sealing = original  # type: ignore[assignment]
        ctx.close()
    kinds: dict[str, int] = {}
    for d in result.documents:
        kinds[d.kind] = kinds.get(d.kind, 0) + 1
    return {"wall": wall, "kinds": kinds, "documents": len(result.documents), "mix": mix}


def warm_mix(tmp: Path, mix: list[bytes], docs: int, size: int) -> list[str]:
    """A warm pool of `size` instances (2 feeding threads each) converting `docs` documents of the
    session's own mix (every kind, as issuing renders them), nothing else done: issuing's ceiling."""
    root = tmp / f"mix{size}"
    todo = iter(range(docs))
    lock = threading.Lock()
    with OfficePool(size=size, profile_root=root, fonts_conf=FONTS_CONF, recycle_after=docs + 1) as pool:

        def work() -> None:
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                pool.convert(f"mix-{i}", mix[i % len(mix)])

        rows: list[list[str]] = []
        label = f"pool ×{size}, the session's mix of documents"
        with measured(rows, label, docs, root):
            threads = [threading.Thread(target=work) for _ in range(2 * size)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    return rows[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--naive", type=int, default=8, help="applicants for the naive pipeline")
    parser.add_argument("--celery", type=int, default=40, help="applicants for the Celery rows (0: none)")
    parser.add_argument("--ceiling-docs", type=int, default=60)
    parser.add_argument("--level", default="B-LTA")
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # subsetting notes, as issuing keeps them quiet
    tmp = Path(tempfile.mkdtemp(prefix="titlecert-bench-pipeline-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
    env.update(
        {
            "TITLECERT_HOME": str(tmp / "home"),
            "TITLECERT_PUBLIC_URL": f"http://127.0.0.1:{free_port()}",
            "TITLECERT_PKI_URL": f"http://127.0.0.1:{free_port()}",
            "TITLECERT_SIGNATURE_LEVEL": args.level,
        }
    )
    titlecert(env, "init")
    cores = os.cpu_count() or 1
    print(
        f"# {dt.datetime.now():%Y-%m-%d %H:%M}, {cores} cores, load average {os.getloadavg()[0]:.1f}, "
        f"level {args.level}"
    )
    try:
        with pki_services(env, tmp / "pki.log"):
            session = tmp / "session.json"
            titlecert(env, "sample", "--applicants", str(args.applicants), "--out", str(session))
            e2e = issue_timed(env, session, tmp / "out")
            small = tmp / "naive.json"
            titlecert(env, "sample", "--applicants", str(args.naive), "--seed", "7", "--out", str(small))
            # The same instance and keys (the PKI services know them), a registry of its own.
            naive_env = {**env, "TITLECERT_DATABASE_URL": f"sqlite:///{tmp / 'naive.sqlite3'}"}
            titlecert(naive_env, "init")
            naive = naive_issue(naive_env, small, tmp / "naive-out")
            ceiling: list[list[str]] = []
            cert_docx = render_certificate(CERTIFICATE_DOCX, DATA, qr_png=qr_png(DATA.verify_url))
            pooled(ceiling, tmp, cert_docx, args.ceiling_docs, cores)
            ceiling.append(warm_mix(tmp, naive["mix"], args.ceiling_docs, cores))
            celery = celery_rows(env, tmp, args.celery) if args.celery else []
        print_tables(args, e2e, ceiling, naive, celery, cores)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def print_tables(
    args: argparse.Namespace,
    e2e: dict[str, Any],
    ceiling: list[list[str]],
    naive: dict[str, Any],
    celery: list[list[str]],
    cores: int,
) -> None:
    certs, forms = e2e["kinds"].get("certificate", 0), e2e["kinds"].get("review-form", 0)
    ceiling_rate = float(ceiling[1][2])  # the session's mix
    n_certs = naive["kinds"].get("certificate", 0)
    print(
        "\n| run | applicants | certificates | review forms | documents | wall s | certificates/s | "
        "review forms/s | documents/s | CPU-s | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| pipeline (`titlecert issue`) | {args.applicants} | {certs} | {forms} | {e2e['documents']} | "
        f"{e2e['wall']:.1f} | **{certs / e2e['wall']:.2f}** | {forms / e2e['wall']:.2f} | "
        f"{e2e['documents'] / e2e['wall']:.2f} | {e2e['cpu']:.0f} | {e2e['peak_mb']:.0f} |"
    )
    print(
        f"| naive (cold soffice, keys per document) | {args.naive} | {n_certs} | "
        f"{naive['kinds'].get('review-form', 0)} | {naive['documents']} | {naive['wall']:.1f} | "
        f"{n_certs / naive['wall']:.2f} | {naive['kinds'].get('review-form', 0) / naive['wall']:.2f} | "
        f"{naive['documents'] / naive['wall']:.2f} | | |"
    )
    parts = ", ".join(f"{name} {mb:.0f} MB" for name, mb in sorted(e2e["peak_by_name"].items()))
    print(f"\nAt the pipeline's peak of {e2e['peak_mb']:.0f} MB (summed RSS): {parts}.")
    spent = ", ".join(
        f"{name} {seconds:.0f} s ({seconds / e2e['documents']:.3f} per document)"
        for name, seconds in sorted(e2e["cpu_by_name"].items(), key=lambda item: -item[1])
    )
    print(f"\nCPU seconds of the pipeline by kind of process: {spent}.")
    print(
        f"\nCeiling: a warm pool of {cores} LibreOffice instances converts the session's mix of documents "
        f"at {ceiling_rate:.2f} documents/s ({ceiling[1][4]} CPU-s each; the certificate alone "
        f"{ceiling[0][2]}/s); the pipeline made "
        f"{e2e['documents'] / e2e['wall']:.2f} documents/s of every kind, "
        f"{100 * e2e['documents'] / e2e['wall'] / ceiling_rate:.0f} % of it."
    )
    print("\n| conversion | documents | docs/s | s/doc | CPU-s/doc | peak RSS MB | note |")
    print("|---|---|---|---|---|---|---|")
    for row in ceiling:
        print("| " + " | ".join(row) + " |")
    if celery:
        print("\n| Celery | applicants | certificates | documents | wall s | certificates/s | documents/s |")
        print("|---|---|---|---|---|---|---|")
        for row in celery:
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
