"""Benchmark: the verify site under load from a second process, against baselines measured in the
same run.

Usage: .venv/bin/python bench/web.py [--rounds R] [--duration S] [--connections N] [--rate R]
                                     [--before CHECKOUT] [--upload-duration S] [--keep DIR]

Builds a throwaway instance (`titlecert demo --no-serve`, about 30 s), then:

- starts `titlecert serve` (gunicorn, TITLECERT_WEB_WORKERS / _THREADS as configured) with this
  checkout's code and, with the same gunicorn settings through the same code
  (titlecert.server.run), a minimal Flask app whose one endpoint answers "hello"; with `--before`,
  also `titlecert serve` with another checkout's code over the same instance (what a change
  gained, in the same run);
- loads each endpoint on loopback from a separate process (bench/load.py: asyncio + aiohttp,
  keep-alive connections, no cookies sent back, a warm-up not counted), R rounds, the endpoints
  taking turns in each: at saturation (N connections, closed loop, S seconds) and at a fixed
  offered load (open loop, R requests a second): the hello endpoint, `GET /v/<token>` and
  `GET /api/v1/certificates/<token>` over the issued tokens. The lookup limit is lifted for the
  run (the limiter still counts every request: one client here stands for many);
- unless `--upload-duration 0`: uploads an issued certificate to `POST /api/v1/verify` for a
  while, and validates the same file's signatures in-process with pyHanko for as long.

Prints Markdown tables for docs/performance.md: medians over the rounds with their range, and
each endpoint's throughput as a multiple of hello's in the same round. Everything shares the
machine's cores: the load generator too, so the hello row is the ceiling this harness can show,
not gunicorn's.
"""

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
TITLECERT = Path(sys.executable).parent / "titlecert"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def hello_main(port: int) -> None:
    """Serve the baseline: one Flask endpoint, with `titlecert serve`'s gunicorn settings."""
    from flask import Flask

    from titlecert import server
    from titlecert.settings import from_env

    app = Flask("hello")
    app.add_url_rule("/hello", "hello", lambda: "hello")
    server.run(app, from_env().web, host="127.0.0.1", port=port, name="bench-hello")


@contextmanager
def background(argv: list[str], env: dict[str, str], probe: str, log: Path) -> Iterator[None]:
    with log.open("wb") as sink:
        proc = subprocess.Popen(argv, env=env, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(probe, timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit(
                    f"{' '.join(argv)} did not start:\n{log.read_text(errors='replace')}"
                ) from None
            time.sleep(0.2)
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def load(
    urls: list[str],
    *,
    duration: float,
    connections: int,
    method: str = "GET",
    upload: Path | None = None,
    rate: float | None = None,
) -> dict[str, float]:
    """Run bench/load.py in its own process; its JSON summary."""
    argv = [
        sys.executable,
        str(BENCH / "load.py"),
        "--duration",
        str(duration),
        "--connections",
        str(connections),
        "--method",
        method,
        "--no-cookies",
        *urls,
    ]
    if upload:
        argv += ["--upload", str(upload)]
    if rate:
        argv += ["--rate", str(rate)]
    proc = subprocess.run(argv, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(proc.stdout)
    return result


def raw_validation(pdf: Path, settings_env: dict[str, str], duration: float) -> dict[str, float]:
    """Both signatures of `pdf` validated with pyHanko in this process, again and again."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from titlecert.home import load_trust
    from titlecert.settings import from_env

    trust = load_trust(from_env(settings_env))
    data = pdf.read_bytes()
    samples: list[float] = []
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        start = time.perf_counter()
        reader = PdfFileReader(io.BytesIO(data), strict=True)
        for emb in reader.embedded_signatures:
            if emb.sig_object_type != "/Sig":  # the archive time stamps of a B-LTA file
                continue
            context = ValidationContext(trust_roots=list(trust.anchors), allow_fetching=False)
            status = validate_pdf_signature(emb, context)
            if not status.bottom_line:
                raise SystemExit(f"raw validation failed: {status.summary()}")
        samples.append(time.perf_counter() - start)
    samples.sort()
    return {
        "requests": len(samples),
        "errors": 0,
        "rps": len(samples) / sum(samples),
        "p50_ms": samples[len(samples) // 2] * 1000,
        "p99_ms": samples[min(len(samples) - 1, int(len(samples) * 0.99))] * 1000,
    }


def row(name: str, r: dict[str, float]) -> str:
    return (
        f"| {name} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {int(r['requests'])} "
        f"| {int(r['errors'])} |"
    )


def spread(values: list[float], digits: int = 0) -> str:
    """The median, with the range when there are several."""
    med = f"{statistics.median(values):.{digits}f}"
    return med if len(values) < 2 else f"{med} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every lookup load")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each load")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections at saturation")
    parser.add_argument("--rate", type=float, default=500.0, help="requests a second of the fixed load")
    parser.add_argument("--before", type=Path, default=None, help="also serve this checkout's code")
    parser.add_argument("--upload-duration", type=float, default=30.0, help="seconds of uploads (0: none)")
    parser.add_argument("--upload-connections", type=int, default=4)
    parser.add_argument("--keep", type=Path, default=None, help="use (and keep) this folder for the instance")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="titlecert-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    port, hello_port, before_port = free_port(), free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TITLECERT_") or k.startswith("TITLECERT_WEB_")
    }
    env.update(
        {
            "TITLECERT_HOME": str(work / "home"),
            "TITLECERT_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "TITLECERT_PKI_URL": f"http://127.0.0.1:{free_port()}",
            "PYTHONPATH": str(BENCH.parent),  # this checkout's code, whichever the virtualenv names
        }
    )
    manifest = work / "out" / "manifest.json"
    if manifest.is_file():  # a kept folder: issued by an earlier run
        documents = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    else:
        print(f"issuing the demo session into {work} ...", file=sys.stderr)
        issued = subprocess.run(
            [str(TITLECERT), "demo", "--no-serve", "--out", str(work / "out")],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        documents = json.loads(issued.stdout)["documents"]
    certificates = [d for d in documents if d["kind"] == "certificate"]
    tokens = [d["verify_url"].rsplit("/", 1)[1] for d in certificates]
    pdf = Path(certificates[0]["path"])
    from titlecert.settings import from_env

    web = from_env(env).web
    # One client stands for the many a site serves: the limit is lifted, the limiter still counts.
    served = {**env, "TITLECERT_RATE_LIMIT_LOOKUP": "1000000000/minute"}
    base = f"http://127.0.0.1:{port}"
    servers = [
        ([str(TITLECERT), "serve", "--port", str(port)], served, f"{base}/healthz", work / "serve.log"),
        (
            [sys.executable, __file__, "--hello", str(hello_port)],
            env,
            f"http://127.0.0.1:{hello_port}/hello",
            work / "hello.log",
        ),
    ]
    endpoints = [
        (
            "minimal Flask app, `GET /hello` (same gunicorn settings)",
            [f"http://127.0.0.1:{hello_port}/hello"],
        ),
        ("scan page, `GET /v/<token>`", [f"{base}/v/{t}" for t in tokens]),
        ("API, `GET /api/v1/certificates/<token>`", [f"{base}/api/v1/certificates/{t}" for t in tokens]),
    ]
    if args.before:
        old = f"http://127.0.0.1:{before_port}"
        servers.append(
            (
                [str(TITLECERT), "serve", "--port", str(before_port)],
                {**served, "PYTHONPATH": str(args.before.resolve())},
                f"{old}/healthz",
                work / "serve-before.log",
            )
        )
        endpoints += [
            ("scan page, before", [f"{old}/v/{t}" for t in tokens]),
            ("API, before", [f"{old}/api/v1/certificates/{t}" for t in tokens]),
        ]
    saturated: dict[str, list[dict[str, float]]] = {name: [] for name, _ in endpoints}
    paced: dict[str, list[dict[str, float]]] = {name: [] for name, _ in endpoints}
    started = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        for argv, server_env, probe, log in servers:
            stack.enter_context(background(argv, server_env, probe, log))
        for r in range(args.rounds):
            for name, urls in endpoints:
                print(f"round {r + 1}: {name} ...", file=sys.stderr)
                saturated[name].append(load(urls, duration=args.duration, connections=args.connections))
                paced[name].append(load(urls, duration=args.duration, connections=256, rate=args.rate))
        uploads = None
        if args.upload_duration > 0:
            print("uploading ...", file=sys.stderr)
            uploads = load(
                [f"{base}/api/v1/verify"],
                duration=args.upload_duration,
                connections=args.upload_connections,
                method="POST",
                upload=pdf,
            )
    ended = os.getloadavg()[0]
    hello = endpoints[0][0]
    print(
        f"\nRun of {dt.date.today().isoformat()}: gunicorn gthread, {web.workers} workers x {web.threads} "
        f"threads; {args.rounds} rounds of {args.duration:.0f} s per load; {os.cpu_count()} cores shared "
        f"by the servers and the load generator; load average {started:.1f} at the start, "
        f"{ended:.1f} at the end.\n"
    )
    print(f"At saturation ({args.connections} connections), median (range) of {args.rounds} rounds:\n")
    print("| what | per second | × hello | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for name, _ in endpoints:
        runs = saturated[name]
        ratios = [run["rps"] / h["rps"] for run, h in zip(runs, saturated[hello], strict=True)]
        print(
            f"| {name} | {spread([x['rps'] for x in runs])} | {spread(ratios, 2)} "
            f"| {spread([x['p50_ms'] for x in runs], 1)} | {spread([x['p99_ms'] for x in runs], 1)} "
            f"| {sum(int(x['errors']) for x in runs)} |"
        )
    print(
        f"\nAt {args.rate:.0f} requests a second offered (open loop), median (range) of "
        f"{args.rounds} rounds:\n"
    )
    print("| what | answered per second | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|")
    for name, _ in endpoints:
        runs = paced[name]
        print(
            f"| {name} | {spread([x['rps'] for x in runs])} | {spread([x['p50_ms'] for x in runs], 1)} "
            f"| {spread([x['p99_ms'] for x in runs], 1)} | {sum(int(x['errors']) for x in runs)} |"
        )
    if uploads is not None:
        print("\n| what | per second | p50 ms | p99 ms | requests | errors |")
        print("|---|---|---|---|---|---|")
        print(row(f"upload, `POST /api/v1/verify` ({args.upload_connections} connections)", uploads))
        print("validating in-process ...", file=sys.stderr)
        print(
            row(
                "raw pyHanko `validate_pdf_signature`, both seals, in-process (1 thread)",
                raw_validation(pdf, env, args.upload_duration),
            )
        )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--hello":
        hello_main(int(sys.argv[2]))
    else:
        main()
