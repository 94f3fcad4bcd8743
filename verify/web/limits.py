"""Request limits (flask-limiter): per client on lookups, match checks and uploads, and per
certificate on match checks. Counters live in memory or in Redis; X-RateLimit-* headers on every
limited response, Retry-After on a 429."""

import ipaddress
import math
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RouteLimit
from limits.storage import MemoryStorage

from verify.ratelimits import RateLimits
from verify.typed import normalise_certificate_no
from verify.web.logs import token_ref

EXTENSION = "titlecert.limiter"
_MARK = "_titlecert_limit"

F = TypeVar("F", bound=Callable[..., object])


class Limited(StrEnum):
    """Which limit a view counts against."""

    LOOKUP = "lookup"
    """Scan pages and certificate lookups, together."""
    MATCH = "match"
    """Match checks: per client, and per certificate from all clients."""
    UPLOAD = "upload"
    """PDF uploads, the page's form and the API together."""
    RECEIPT = "receipt"
    """Verification receipts made."""


def limited(kind: Limited) -> Callable[[F], F]:
    """Mark a view as counting against `kind`; `install` applies the limits to marked views."""

    def mark(view: F) -> F:
        setattr(view, _MARK, kind)
        return view

    return mark


def client_key() -> str:
    """The client's address (as ProxyFix left it), an IPv6 client by its /64, which one host holds."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def certificate_key() -> str:
    """The certificate a request names, by its token's hash (never the token itself); a title
    awarded on paper by its number's (in the path, or the form's field)."""
    args = request.view_args or {}
    if "token" in args:
        return "certificate-" + token_ref(str(args["token"]))
    number = str(args.get("certificate_no") or request.form.get("certificate_no", ""))
    return "legacy-" + token_ref(normalise_certificate_no(number))


SWEEP_SECONDS = 1.0
MEMORY = "titlecert-memory://"


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory counters, with the expired ones swept once a second. The stock storage
    sweeps 10 ms after a hit on a fresh timer thread, so while requests come it starts a thread
    a hundredth of a second (4 % of a lookup's time); a counter's expiry is checked whenever it
    is read anyway, so sweeping is only the memory's tidying."""

    STORAGE_SCHEME = [MEMORY.removesuffix("://")]

    def _MemoryStorage__schedule_expiry(self) -> None:  # the stock storage's private hook
        if not self.timer.is_alive():
            self.timer = threading.Timer(SWEEP_SECONDS, self._MemoryStorage__expire_events)  # type: ignore[attr-defined]
            self.timer.daemon = True
            self.timer.start()


def install(app: Flask, limits: RateLimits) -> Limiter:
    """Apply the limits to every view marked with `limited` (call after registering them)."""
    app.after_request(_retry_after_only_when_limited)  # registered first: runs after the limiter's
    limiter = Limiter(
        client_key,
        app=app,
        storage_uri=MEMORY if limits.storage_uri == "memory://" else limits.storage_uri,
        key_prefix=limits.key_prefix,
        strategy="fixed-window",
        headers_enabled=True,
        # Redis down: keep limiting, per process, rather than fail every request or stop limiting.
        in_memory_fallback_enabled=True,
    )
    rules: dict[Limited, list[RouteLimit]] = {
        Limited.LOOKUP: [limiter.shared_limit(limits.lookup, scope="lookup")],
        Limited.MATCH: [
            limiter.shared_limit(limits.match, scope="match"),
            limiter.shared_limit(
                limits.match_per_certificate, scope="match-certificate", key_func=certificate_key
            ),
        ],
        Limited.UPLOAD: [limiter.shared_limit(limits.upload, scope="upload")],
        Limited.RECEIPT: [limiter.shared_limit(limits.receipt, scope="receipt")],
    }
    for endpoint, registered in list(app.view_functions.items()):
        view: Any = registered
        kind = getattr(view, _MARK, None)
        if kind is None:
            continue
        for rule in rules[Limited(kind)]:
            view = rule(view)
        app.view_functions[endpoint] = view
    app.extensions[EXTENSION] = limiter
    return limiter


def close(app: Flask) -> None:
    """Release the counters' connections (a Redis pool), when an app is done with (e.g. in tests)."""
    limiter = app.extensions.get(EXTENSION)
    client = getattr(limiter.storage, "storage", None) if isinstance(limiter, Limiter) else None
    if client is not None and callable(getattr(client, "close", None)):
        client.close()


UNAVAILABLE_RETRY_AFTER = "60"
"""Retry-After of a 503 while the registry cannot be reached (verify.web.problems)."""


def _retry_after_only_when_limited(response: Response) -> Response:
    """flask-limiter sends Retry-After, the seconds left in its window, on every limited response:
    it means something on a 429 only. A 503's is the registry's and is put back, since the limiter
    wrote its window over it (which made it 59 or 60 depending on the second the request fell in)."""
    if response.status_code == 503 and "Retry-After" in response.headers:
        response.headers["Retry-After"] = UNAVAILABLE_RETRY_AFTER
    elif response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke resets (60 when none is known)."""
    limiter = current_app.extensions.get(EXTENSION)
    current = limiter.current_limit if isinstance(limiter, Limiter) else None
    return max(1, math.ceil(current.reset_at - time.time())) if current else 60
