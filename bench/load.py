"""A small HTTP load generator (asyncio + aiohttp) for loopback benchmarks; bench/web.py runs it.

Usage: python bench/load.py [--duration S] [--connections N] [--method GET|POST] [--upload F] URL...

N workers share N keep-alive connections and request the URLs in turn for S seconds, after a
warm-up of a tenth of that (at least one second, not counted). Prints one JSON object: requests,
errors (non-2xx or transport failures; a 404 is an error), rps, p50_ms, p99_ms. Bounded in time:
it stops by itself. Only for servers on this machine.
"""

import argparse
import asyncio
import itertools
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp


async def run(
    urls: list[str], *, duration: float, connections: int, method: str, upload: bytes | None
) -> dict:
    for url in urls:
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing to load {url}: loopback only")
    latencies: list[float] = []
    errors = 0
    turn = itertools.cycle(urls)
    warm_until = time.perf_counter() + max(1.0, duration / 10)
    stop_at = warm_until + duration

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while (now := time.perf_counter()) < stop_at:
            url = next(turn)
            counted = now >= warm_until
            start = time.perf_counter()
            try:
                if upload is None:
                    async with session.request(method, url) as response:
                        await response.read()
                        ok = 200 <= response.status < 300
                else:
                    form = aiohttp.FormData()
                    form.add_field("file", upload, filename="certificate.pdf", content_type="application/pdf")
                    async with session.post(url, data=form) as response:
                        await response.read()
                        ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            if counted:
                latencies.append(time.perf_counter() - start)
                errors += 0 if ok else 1

    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.gather(*(worker(session) for _ in range(connections)))
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        "rps": n / duration,
        "p50_ms": latencies[n // 2] * 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--method", default="GET")
    parser.add_argument("--upload", type=Path, default=None, help="POST this file as multipart field 'file'")
    args = parser.parse_args()
    upload = args.upload.read_bytes() if args.upload else None
    result = asyncio.run(
        run(
            args.urls, duration=args.duration, connections=args.connections, method=args.method, upload=upload
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
