"""Where a lookup's time goes, in-process: the scan page and the API lookup through Flask's test
client, with their parts taken away one after another (a waterfall), so the rows add up.

Usage: PYTHONPATH=<checkout> .venv/bin/python bench/lookup_costs.py INSTANCE [--requests N] [--rounds R]

INSTANCE is a folder bench/web.py made (`--keep`): its home and the manifest of its issued
certificates. PYTHONPATH picks the code measured, so one script measures two checkouts alike.
Each configuration is timed as process CPU time (every thread of the process: a background writer
too) and as wall-clock time, the fastest of R rounds of N requests, the rounds interleaving the
configurations; requests send no cookies, as a first scan of a QR code does. The limit on
lookups is lifted (the limiter still counts each one).
Prints a Markdown table.
"""

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any


def build(instance: Path) -> tuple[Any, list[str]]:
    os.environ.update(
        {
            "TITLECERT_HOME": str(instance / "home"),
            "TITLECERT_PUBLIC_URL": "http://127.0.0.1:9",
            "TITLECERT_PKI_URL": "http://127.0.0.1:9",
            "TITLECERT_RATE_LIMIT_LOOKUP": "100000000/minute",
        }
    )
    from titlecert.app import configure_logging, create_app
    from titlecert.settings import from_env

    configure_logging()  # what `titlecert serve` logs, to nowhere
    for handler in logging.getLogger().handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the process's life
    manifest = json.loads((instance / "out" / "manifest.json").read_text(encoding="utf-8"))
    tokens = [d["verify_url"].rsplit("/", 1)[1] for d in manifest["documents"] if d["kind"] == "certificate"]
    return create_app(from_env(os.environ)), tokens


def timed(app: Any, urls: list[str], n: int) -> tuple[float, float]:
    """CPU and wall-clock ms per request over n requests."""
    client = app.test_client(use_cookies=False)
    c0, w0 = time.process_time(), time.perf_counter()
    for i in range(n):
        status = client.get(urls[i % len(urls)]).status_code
        if status != 200:
            raise SystemExit(f"{urls[i % len(urls)]} answered {status}")
    writer = getattr(app.extensions["titlecert.verify"], "verifications", None)
    if writer is not None:
        writer.flush()  # the writer's work is counted with the requests that queued it
    return (time.process_time() - c0) / n * 1000, (time.perf_counter() - w0) / n * 1000


Step = tuple[str, Callable[[], None], Callable[[], None]]


def steps(app: Any) -> list[Step]:
    """What is taken away, in order, each with its undoing."""
    import flask_wtf.csrf

    import verify.web as site
    import verify.web.api as api
    import verify.web.channels as channels
    import verify.web.forms as forms

    def swap(targets: list[tuple[Any, str, Any]]) -> tuple[Callable[[], None], Callable[[], None]]:
        saved = [(obj, name, getattr(obj, name)) for obj, name, _ in targets if hasattr(obj, name)]

        def apply() -> None:
            for obj, name, value in targets:
                if hasattr(obj, name):
                    setattr(obj, name, value)

        def undo() -> None:
            for obj, name, value in saved:
                setattr(obj, name, value)

        return apply, undo

    nothing = lambda *a, **k: None  # noqa: E731
    limiter = app.extensions["titlecert.limiter"]
    globals_ = app.jinja_env.globals
    saved_globals = dict(globals_)

    def no_babel() -> None:
        app.jinja_env.install_gettext_callables(
            lambda s: s, lambda s, p, n: s if n == 1 else p, newstyle=True
        )

    def restore(*names: str) -> Callable[[], None]:
        return lambda: globals_.update({k: saved_globals[k] for k in names if k in saved_globals})

    return [
        ("noting the verification for the holder", *swap([(site, "note", nothing), (api, "note", nothing)])),
        ("rate limiting (flask-limiter, memory)", *swap([(limiter, "enabled", False)])),
        (
            "the receipt form's signed value",
            *swap([(channels, "receipt_form_value", nothing), (channels, "lookup_receipt_form", nothing)]),
        ),
        (
            "the registry read",
            *swap([(m, "lookup_token", lru_cache(None)(m.lookup_token)) for m in (site, api)]),
        ),
        (
            "CSRF token and session cookie",
            *swap([(flask_wtf.csrf, "generate_csrf", lambda: "x"), (forms, "csrf_token", lambda: "x")]),
        ),
        ("Babel's gettext calls", no_babel, restore("gettext", "ngettext", "pgettext", "npgettext")),
        (
            "INFO logging (access line, lookup line)",
            lambda: logging.disable(logging.INFO),
            lambda: logging.disable(logging.NOTSET),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("instance", type=Path)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    app, tokens = build(args.instance)
    paths = ("/v/{}", "/api/v1/certificates/{}")
    urls = {path: [path.format(t) for t in tokens] for path in paths}
    plan = steps(app)
    for path in paths:  # warm-up
        timed(app, urls[path], 50)
    # Rounds interleave the configurations (none taken away, the first, the first two, ...), and
    # each configuration keeps its fastest round: load from elsewhere falls on all alike.
    best: dict[tuple[int, str], tuple[float, float]] = {}
    for _ in range(args.rounds):
        for k in range(len(plan) + 1):
            for _name, take_away, _undo in plan[:k]:
                take_away()
            for path in paths:
                cpu, wall = timed(app, urls[path], args.requests)
                old = best.get((k, path), (float("inf"), float("inf")))
                best[(k, path)] = (min(old[0], cpu), min(old[1], wall))
            for _name, _take_away, undo in reversed(plan[:k]):
                undo()
    import verify

    print(
        f"code: {Path(verify.__file__).parent.parent}; "
        f"fastest of {args.rounds} rounds of {args.requests} requests\n"
    )
    print("| part | scan page CPU ms | share | API CPU ms | share | scan page wall ms | API wall ms |")
    print("|---|---|---|---|---|---|---|")
    page, api = paths
    names = [name for name, _, _ in plan] + ["the rest: Flask, Jinja, Werkzeug, the test client"]
    for k, name in enumerate(names):
        after = {p: best.get((k + 1, p), (0.0, 0.0)) for p in paths}
        part = {p: (best[(k, p)][0] - after[p][0], best[(k, p)][1] - after[p][1]) for p in paths}
        print(
            f"| {name} | {part[page][0]:.3f} | {part[page][0] / best[(0, page)][0]:.0%} | {part[api][0]:.3f} "
            f"| {part[api][0] / best[(0, api)][0]:.0%} | {part[page][1]:.3f} | {part[api][1]:.3f} |"
        )
    print(
        f"| **a request, in all** | **{best[(0, page)][0]:.3f}** | | **{best[(0, api)][0]:.3f}** | "
        f"| **{best[(0, page)][1]:.3f}** | **{best[(0, api)][1]:.3f}** |"
    )


if __name__ == "__main__":
    sys.exit(main())
