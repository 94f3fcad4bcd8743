"""Benchmark: the verify site under load from a second process, against baselines measured in the
same run.

Usage: .venv/bin/python bench/web.py [--duration S] [--connections N] [--upload-duration S]

Builds a throwaway instance (`titlecert demo --no-serve`, about 30 s), then:

- starts `titlecert serve` (gunicorn, TITLECERT_WEB_WORKERS / _THREADS as configured) and, with the
  same gunicorn settings through the same code (titlecert.server.run), a minimal Flask app whose
  one endpoint answers "hello";
- loads each endpoint on loopback from a separate process (bench/load.py: asyncio + aiohttp, N
  concurrent keep-alive connections, a fixed duration after a warm-up): the hello endpoint,
  `GET /v/<token>` and `GET /api/v1/certificates/<token>` over the issued tokens;
- uploads an issued certificate to `POST /api/v1/verify` for a while, and validates the same file's
  two signatures in-process with pyHanko's `validate_pdf_signature` for as long.

Prints a Markdown table for docs/performance.md. Everything shares the machine's cores: the
load generator too, so the hello row is the ceiling this harness can show, not gunicorn's.
"""

import argparse
import datetime as dt
import io
import json
import os
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
    urls: list[str], *, duration: float, connections: int, method: str = "GET", upload: Path | None = None
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
        *urls,
    ]
    if upload:
        argv += ["--upload", str(upload)]
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per lookup endpoint")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections for lookups")
    parser.add_argument("--upload-duration", type=float, default=30.0, help="seconds of uploads")
    parser.add_argument("--upload-connections", type=int, default=4)
    parser.add_argument("--keep", type=Path, default=None, help="use (and keep) this folder for the instance")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="titlecert-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    port, hello_port = free_port(), free_port()
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
        }
    )
    print(f"issuing the demo session into {work} ...", file=sys.stderr)
    issued = subprocess.run(
        [str(TITLECERT), "demo", "--no-serve", "--out", str(work / "out")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    certificates = [d for d in json.loads(issued.stdout)["documents"] if d["kind"] == "certificate"]
    if not certificates:  # a kept folder: the first run's manifest has the URLs
        manifest = json.loads((work / "out" / "manifest.json").read_text(encoding="utf-8"))
        certificates = [d for d in manifest["documents"] if d["kind"] == "certificate"]
    tokens = [d["verify_url"].rsplit("/", 1)[1] for d in certificates]
    pdf = Path(certificates[0]["path"])
    from titlecert.settings import from_env

    web = from_env(env).web
    base = f"http://127.0.0.1:{port}"
    rows = []
    serve = [str(TITLECERT), "serve", "--port", str(port)]
    hello = [sys.executable, __file__, "--hello", str(hello_port)]
    with (
        background(serve, env, f"{base}/healthz", work / "serve.log"),
        background(hello, env, f"http://127.0.0.1:{hello_port}/hello", work / "hello.log"),
    ):
        lookups = [
            (
                "minimal Flask app, `GET /hello` (same gunicorn settings)",
                [f"http://127.0.0.1:{hello_port}/hello"],
            ),
            ("scan page, `GET /v/<token>`", [f"{base}/v/{t}" for t in tokens]),
            ("API, `GET /api/v1/certificates/<token>`", [f"{base}/api/v1/certificates/{t}" for t in tokens]),
        ]
        for name, urls in lookups:
            print(f"loading: {name} ...", file=sys.stderr)
            rows.append(row(name, load(urls, duration=args.duration, connections=args.connections)))
        print("uploading ...", file=sys.stderr)
        uploads = load(
            [f"{base}/api/v1/verify"],
            duration=args.upload_duration,
            connections=args.upload_connections,
            method="POST",
            upload=pdf,
        )
    rows.append(row(f"upload, `POST /api/v1/verify` ({args.upload_connections} connections)", uploads))
    print("validating in-process ...", file=sys.stderr)
    rows.append(
        row(
            "raw pyHanko `validate_pdf_signature`, both seals, in-process (1 thread)",
            raw_validation(pdf, env, args.upload_duration),
        )
    )
    print(
        f"\nRun of {dt.date.today().isoformat()}: gunicorn gthread, {web.workers} workers x {web.threads} "
        f"threads; lookups {args.connections} connections for {args.duration:.0f} s each, uploads "
        f"{args.upload_duration:.0f} s; {os.cpu_count()} cores shared by server and load generator.\n"
    )
    print("| what | per second | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--hello":
        hello_main(int(sys.argv[2]))
    else:
        main()
