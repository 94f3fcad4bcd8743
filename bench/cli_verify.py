"""Benchmark: `titlecert verify FILE` of one certificate as a user runs it, a fresh process each time,
online and --offline (docs/performance.md, "`titlecert verify` of one file").

`.venv/bin/python bench/cli_verify.py [--rounds 10] [--level B-B]`, or `bench/run cli-verify`: a
temporary instance issues one certificate of the bundled sample with its own `titlecert pki serve`,
which keeps running, so that online verification asks its OCSP responder (about both seals at B-B,
the default level; a B-LT or B-LTA file carries its own answers). The commands run this checkout's
code (PYTHONPATH), whichever checkout the virtualenv was installed from. One run of each is a warm-up;
then the rounds alternate online and offline. Prints Markdown tables:

- wall median and p90, CPU median, in seconds;
- where an online run's time goes: a fresh interpreter doing the command's steps one by one
  (`--phases`: the imports as the command makes them, then verify.service's steps), median of the
  rounds; what the command's median wall time has beyond them is the interpreter's start and
  exit, and click;
- the biggest packages' share of the import time of one online run under `python -X importtime`
  (which inflates it).
"""

import argparse
import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import REPO, TITLECERT, free_port, one_applicant_session, pki_services, titlecert  # noqa: E402

MODES = {"online": (), "--offline": ("--offline",)}
IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)")


def certificate(env: dict[str, str], tmp: Path, level: str) -> Path:
    session = one_applicant_session(tmp)
    out = json.loads(
        titlecert(
            {**env, "TITLECERT_SIGNATURE_LEVEL": level},
            "issue",
            str(session),
            "--out",
            str(tmp / "out"),
            "--json",
        )
    )
    return Path(next(d["path"] for d in out["documents"] if d["kind"] == "certificate"))


def run(env: dict[str, str], pdf: Path, mode: tuple[str, ...]) -> tuple[float, float]:
    """Wall and CPU seconds of one `titlecert verify`; exits unless it exits 0 (valid; online, in force)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [str(TITLECERT), "verify", *mode, str(pdf)], env=env, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"titlecert verify {' '.join(mode)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _phases(pdf: Path) -> None:
    """The online command's steps in this fresh interpreter, each timed (seconds, JSON on stdout)."""
    marks: dict[str, float] = {}
    start = time.perf_counter()

    def mark(name: str) -> None:
        nonlocal start
        marks[name] = time.perf_counter() - start
        start = time.perf_counter()

    import titlecert.cli  # noqa: F401

    mark("import `titlecert.cli`: click, the settings (every command)")
    from titlecert.bootstrap import running
    from titlecert.settings import from_env
    from verify.binding import RegistryFacts
    from verify.checks import analyse_pdf
    from verify.revocation import check_online

    mark("import the verify command's modules: pyHanko (with aiohttp), pydantic")
    settings = from_env()
    with running(settings) as components:
        registry = components.registry
        mark("import the registry: SQLAlchemy and the registry's tables (online only)")
        trust, data = components.trust, pdf.read_bytes()
        mark("read the settings, trust settings and file")
        analysis = analyse_pdf(data, trust)
        mark("analyse the file (`analyse_pdf`: pyHanko's validation, our audits)")
        RegistryFacts.look_up(registry, hashlib.sha256(data).hexdigest(), analysis)
        mark("look the file up in the registry (online only)")
        check_online(analysis, settings.revocation)
        mark("ask the OCSP responder about each seal (online, B-B/B-T files)")
    json.dump(marks, sys.stdout)


def phases(env: dict[str, str], pdf: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--phases", str(pdf)], env=env, capture_output=True, text=True, check=True
    )
    marks: dict[str, float] = json.loads(proc.stdout)
    return marks


def import_shares(env: dict[str, str], pdf: Path) -> tuple[float, Counter[str]]:
    """Wall seconds of one online run under -X importtime; its import microseconds per top-level package."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", str(TITLECERT), "verify", str(pdf)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - start
    own: Counter[str] = Counter()
    for m in IMPORT_LINE.finditer(proc.stderr):
        own[m.group(2).split(".")[0]] += int(m.group(1))
    return wall, own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--level", choices=("B-B", "B-T", "B-LT", "B-LTA"), default="B-B")
    parser.add_argument("--packages", type=int, default=12, help="how many packages the import table lists")
    parser.add_argument("--phases", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phases:
        return _phases(args.phases)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
        env.update(
            PYTHONPATH=str(REPO),
            TITLECERT_HOME=str(tmp / "home"),
            TITLECERT_PKI_URL=f"http://127.0.0.1:{free_port()}",
        )
        titlecert(env, "init")
        with pki_services(env, tmp / "pki.log"):
            pdf = certificate(env, tmp, args.level)
            print(f"{REPO} at {args.level}: certificate {pdf.stat().st_size // 1024} KB", end="; ")
            print(f"load average at the start {os.getloadavg()[0]:.1f}")
            for mode in MODES.values():
                run(env, pdf, mode)  # warm-up: bytecode caches written, files in the page cache
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in MODES}
            stepwise: list[dict[str, float]] = []
            for _ in range(args.rounds):
                for name, mode in MODES.items():
                    samples[name].append(run(env, pdf, mode))
                stepwise.append(phases(env, pdf))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
            bare = time.perf_counter() - start
            traced_wall, own = import_shares(env, pdf)
    print("\n| `titlecert verify` | wall median s | wall p90 s | CPU median s | samples |")
    print("|---|---|---|---|---|")
    for name, runs in samples.items():
        walls = [w for w, _ in runs]
        p90 = statistics.quantiles(walls, n=10)[-1] if len(walls) > 1 else walls[0]
        cpu = statistics.median(c for _, c in runs)
        print(f"| {name} | {statistics.median(walls):.2f} | {p90:.2f} | {cpu:.2f} | {len(runs)} |")
    print(f"| `python -c pass` (the interpreter alone) | {bare:.2f} | | | 1 |")
    print("\n| online, step by step | median s |\n|---|---|")
    steps = {name: statistics.median(m[name] for m in stepwise) for name in stepwise[0]}
    for name, seconds in steps.items():
        print(f"| {name} | {seconds:.3f} |")
    rest = statistics.median(w for w, _ in samples["online"]) - sum(steps.values())
    print(f"| the interpreter's start and exit, click (the command's median less the steps) | {rest:.3f} |")
    total = sum(own.values())
    print(f"\nonline under -X importtime: {traced_wall:.2f} s wall, {total / 1e6:.2f} s of it importing")
    print("\n| package | own import ms | share of import time |\n|---|---|---|")
    for package, micros in own.most_common(args.packages):
        print(f"| {package} | {micros / 1000:.0f} | {micros / total:.0%} |")
    others = total - sum(m for _, m in own.most_common(args.packages))
    print(f"| everything else | {others / 1000:.0f} | {others / total:.0%} |")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
