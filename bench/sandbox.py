"""Benchmark: one sealed certificate analysed three ways, side by side in one run
(docs/performance.md, "Uploads in the sandbox").

`.venv/bin/python bench/sandbox.py [--rounds 30] [--concurrent-rounds 6]`, or `bench/run sandbox`:
a temporary instance issues one certificate of the bundled sample at B-LTA (the demo's level, as
the site's upload benchmark posts) with its own `titlecert pki serve`, then analyses it

- in-process, `verify.checks.analyse_pdf` (the floor);
- in the sandbox as the site does, `verify.sandbox.IsolatedAnalyser` (a child forked from the zygote);
- the way uploads were analysed before the zygote: a fresh `python` per file with the same limits,
  kept here (`fresh_interpreter`) for the comparison only.

The rounds are interleaved, so load from elsewhere falls on all three alike; the zygote's start is
timed apart and not counted. Then 4 threads analyse at once, each way (4 uploads on 2 cores).
Prints Markdown tables: median and 95th percentile in ms, the ratio to in-process.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from harness import REPO, TITLECERT, free_port, one_applicant_session, pki_services, titlecert  # noqa: E402

from signing.trust import TrustSettings  # noqa: E402
from verify.checks import Analysis, analyse_pdf  # noqa: E402
from verify.report import Verdict  # noqa: E402
from verify.sandbox import IsolatedAnalyser, _analysis_from_json, shared_pool  # noqa: E402
from verify.sandbox_pool import Limits, _limit  # noqa: E402

Way = Callable[[bytes, TrustSettings, dt.datetime | None], Analysis]


def fresh_interpreter(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """The sandbox before the zygote: a fresh interpreter per file, limited between fork and exec."""
    limits = asdict(Limits())
    header = json.dumps({"trust": trust.to_dict(), "at": at.isoformat() if at else None}).encode()
    proc = subprocess.run(
        [sys.executable, "-B", __file__, "--child"],
        input=header + b"\n" + data,
        capture_output=True,
        timeout=Limits().wall_seconds,
        preexec_fn=lambda: _limit(limits),
        env={"PATH": os.environ.get("PATH", ""), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
        cwd=REPO,
        check=True,
    )
    return _analysis_from_json(json.loads(proc.stdout))


def _child() -> None:
    header, _, data = sys.stdin.buffer.read().partition(b"\n")
    request = json.loads(header)
    at = dt.datetime.fromisoformat(request["at"]) if request["at"] else None
    json.dump(asdict(analyse_pdf(data, TrustSettings.from_dict(request["trust"]), at)), sys.stdout)


def once(way: Way, data: bytes, trust: TrustSettings) -> float:
    start = time.perf_counter()
    verdict = way(data, trust, None).verdict
    elapsed = (time.perf_counter() - start) * 1000
    if verdict is not Verdict.VALID:
        sys.exit(f"{way} verified the certificate {verdict.value}")
    return elapsed


def cells(samples: list[float], floor: float) -> str:
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    return f"{median:.0f} | {p95:.0f} | {median / floor:.2f} | {len(samples)}"


def certificate(tmp: Path) -> tuple[bytes, TrustSettings]:
    from titlecert.home import load_trust
    from titlecert.settings import from_env

    env = {k: v for k, v in os.environ.items() if not k.startswith("TITLECERT_")}
    env.update(
        TITLECERT_HOME=str(tmp / "home"),
        TITLECERT_PKI_URL=f"http://127.0.0.1:{free_port()}",
        TITLECERT_SIGNATURE_LEVEL="B-LTA",
    )
    titlecert(env, "init")
    session = one_applicant_session(tmp)
    with pki_services(env, tmp / "pki.log"):
        issue = [str(TITLECERT), "issue", str(session), "--out", str(tmp / "out"), "--json"]
        proc = subprocess.run(issue, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            sys.exit(f"titlecert issue failed:\n{proc.stderr}")
    out = json.loads(proc.stdout)
    path = next(d["path"] for d in out["documents"] if d["kind"] == "certificate")
    return Path(path).read_bytes(), load_trust(from_env(env))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--concurrent-rounds", type=int, default=6, help="batches of 4 at once")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return _child()
    with tempfile.TemporaryDirectory() as tmp:
        data, trust = certificate(Path(tmp))
    print(f"certificate {len(data) // 1024} KB; load average at the start {os.getloadavg()[0]:.1f}")
    pooled = IsolatedAnalyser()
    start = time.perf_counter()
    shared_pool().start()
    print(f"zygote started in {time.perf_counter() - start:.2f} s")
    ways: dict[str, Way] = {
        "in-process `analyse_pdf`": analyse_pdf,
        "sandbox, child forked from the zygote": pooled,
        "sandbox, fresh interpreter per file (before)": fresh_interpreter,
    }
    for way in ways.values():
        once(way, data, trust)  # warm-up, not counted
    samples: dict[str, list[float]] = {name: [] for name in ways}
    names = list(ways)
    for n in range(args.rounds):
        for name in names[n % 3 :] + names[: n % 3]:
            samples[name].append(once(ways[name], data, trust))
    floor = statistics.median(samples[names[0]])
    print("\n| one upload at a time | median ms | p95 ms | × in-process | samples |\n|---|---|---|---|---|")
    for name in names:
        print(f"| {name} | {cells(samples[name], floor)} |")
    print("\n| 4 at once (threads) | median ms | p95 ms | × in-process alone | files per s |")
    print("|---|---|---|---|---|")
    with ThreadPoolExecutor(4) as threads:
        for name in names:
            started, times = time.perf_counter(), list[float]()
            for _ in range(args.concurrent_rounds):
                times += threads.map(once, [ways[name]] * 4, [data] * 4, [trust] * 4)
            rate = len(times) / (time.perf_counter() - started)
            median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
            print(f"| {name} | {median:.0f} | {p95:.0f} | {median / floor:.2f} | {rate:.2f} |")
    zygote = shared_pool().pid
    if zygote:
        import psutil

        print(f"\nzygote RSS {psutil.Process(zygote).memory_info().rss / 2**20:.0f} MiB", end="; ")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
