"""Benchmark: seconds `verify.checks.analyse_pdf` takes on an archive copy after 0, 10, 30 and 60
renewals (`signing.ltv.retimestamp`, as `titlecert archive retimestamp` renews), for a B-LTA
certificate and review form (docs/performance.md, "Verifying renewed archive copies").

`.venv/bin/python bench/renewals.py [--renewals 60] [--rounds 3]`: a temporary instance issues one
award of the bundled sample at B-LTA with its own `titlecert pki serve`, then renews the two copies
in this process. Prints a Markdown table: wall and CPU seconds (median of the rounds), size,
revisions.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import HTTPTimeStamper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import TITLECERT, free_port, one_applicant_session, pki_services, titlecert  # noqa: E402

from signing.ltv import retimestamp  # noqa: E402
from titlecert.home import load_trust  # noqa: E402
from titlecert.settings import from_env  # noqa: E402
from verify.checks import analyse_pdf  # noqa: E402
from verify.report import Verdict  # noqa: E402

CHECKPOINTS = (0, 10, 30, 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renewals", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
        env.update(
            TITLECERT_HOME=str(tmp / "home"),
            TITLECERT_PKI_URL=f"http://127.0.0.1:{free_port()}",
            TITLECERT_SIGNATURE_LEVEL="B-LTA",
        )
        titlecert(env, "init")
        session = one_applicant_session(tmp)
        settings = from_env(env)
        trust = load_trust(settings)
        rows = []
        with pki_services(env, tmp / "pki.log"):
            issue = [str(TITLECERT), "issue", str(session), "--out", str(tmp / "out"), "--json"]
            proc = subprocess.run(issue, env=env, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                sys.exit(f"titlecert issue failed:\n{proc.stderr}")
            out = json.loads(proc.stdout)
            copies = {
                kind: Path(next(d["path"] for d in out["documents"] if d["kind"] == kind)).read_bytes()
                for kind in ("certificate", "review-form")
            }
            timestamper = HTTPTimeStamper(settings.tsa_url)
            for kind, pdf in copies.items():
                for n in range(args.renewals + 1):
                    if n:
                        pdf = retimestamp(pdf, timestamper=timestamper, trust_roots=list(trust.anchors))
                    if n not in CHECKPOINTS:
                        continue
                    walls, cpus = [], []
                    for _ in range(args.rounds):
                        wall, cpu = time.perf_counter(), time.process_time()
                        verdict = analyse_pdf(pdf, trust).verdict
                        walls.append(time.perf_counter() - wall)
                        cpus.append(time.process_time() - cpu)
                        if verdict is not Verdict.VALID:
                            sys.exit(f"the {kind} after {n} renewals verified {verdict.value}")
                    revisions = PdfFileReader(io.BytesIO(pdf)).xrefs.total_revisions
                    wall_s, cpu_s = statistics.median(walls), statistics.median(cpus)
                    rows.append(
                        f"| {kind} | {n} | {wall_s:.2f} | {cpu_s:.2f} | {len(pdf) // 1024} | {revisions} |"
                    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print("| copy | renewals | wall s | CPU s | KB | revisions |\n|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
