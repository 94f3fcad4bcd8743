"""A small HTTP load generator (asyncio + aiohttp) for loopback benchmarks; bench/web.py runs it.

Usage: python bench/load.py [--duration S] [--connections N] [--rate R] [--no-cookies]
                            [--method GET|POST] [--upload F] URL...

Closed loop (the default): N workers share N keep-alive connections and request the URLs in turn
for S seconds, each sending its next request when the last is answered: the server's throughput
at saturation. Open loop (`--rate R`): R requests a second on a fixed schedule, whatever the
answers, over up to N keep-alive connections; a request's latency counts from when it was due,
so a server falling behind shows in the percentiles instead of slowing the load down.

Either way a warm-up of a tenth of S (at least one second) is not counted. `--no-cookies` sends
none back, as first visitors (most QR scans) send none. Prints one JSON object: requests, errors
(non-2xx or transport failures; a 404 is an error), rps, p50_ms, p99_ms. Bounded in time: it
stops by itself. Only for servers on this machine.
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
    urls: list[str],
    *,
    duration: float,
    connections: int,
    method: str,
    upload: bytes | None,
    rate: float | None = None,
    cookies: bool = True,
) -> dict:
    for url in urls:
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing to load {url}: loopback only")
    latencies: list[float] = []
    errors = 0
    finished = [0.0]  # when the last counted answer came
    turn = itertools.cycle(urls)
    warm_until = time.perf_counter() + max(1.0, duration / 10)
    stop_at = warm_until + duration

    async def one(session: aiohttp.ClientSession, url: str, due: float, counted: bool) -> None:
        nonlocal errors
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
            done = time.perf_counter()
            latencies.append(done - due)
            errors += 0 if ok else 1
            finished[0] = max(finished[0], done)

    async def worker(session: aiohttp.ClientSession) -> None:
        while (now := time.perf_counter()) < stop_at:
            await one(session, next(turn), now, now >= warm_until)

    async def scheduled(session: aiohttp.ClientSession, rate: float) -> None:
        start, tasks, i = time.perf_counter(), set(), 0
        while (due := start + i / rate) < stop_at:
            if (wait := due - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            task = asyncio.create_task(one(session, next(turn), due, due >= warm_until))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
        await asyncio.gather(*tasks)

    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    jar = aiohttp.CookieJar() if cookies else aiohttp.DummyCookieJar()  # the default keeps none from an IP
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, cookie_jar=jar) as session:
        if rate is None:
            await asyncio.gather(*(worker(session) for _ in range(connections)))
        else:
            await scheduled(session, rate)
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "errors": errors,
        # Answered per second: over the load's duration, or until the last answer if that came later.
        "rps": n / max(duration, finished[0] - warm_until),
        "p50_ms": latencies[n // 2] * 1000 if n else 0.0,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rate", type=float, default=None, help="open loop: requests per second")
    parser.add_argument("--no-cookies", action="store_true", help="send no cookies back")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--upload", type=Path, default=None, help="POST this file as multipart field 'file'")
    args = parser.parse_args()
    upload = args.upload.read_bytes() if args.upload else None
    result = asyncio.run(
        run(
            args.urls,
            duration=args.duration,
            connections=args.connections,
            method=args.method,
            upload=upload,
            rate=args.rate,
            cookies=not args.no_cookies,
        )
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
