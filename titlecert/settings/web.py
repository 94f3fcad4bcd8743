"""The public site's settings: gunicorn, the request limits (verify.ratelimits.RateLimits, the
values the site applies), the trusted proxies."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from titlecert.errors import ConfigError
from verify.ratelimits import RateLimits


def default_web_workers() -> int:
    """Gunicorn's rule of thumb, 2 × cores + 1: 5 worker processes on 2 cores."""
    return 2 * (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class WebServer:
    """How `titlecert serve` (and `demo`) run the production WSGI server, gunicorn."""

    workers: int = field(default_factory=default_web_workers)
    """TITLECERT_WEB_WORKERS: worker processes (default 2 × cores + 1)."""
    threads: int = 4
    """TITLECERT_WEB_THREADS: threads per worker (gthread); an upload waits on its sandboxed parser
    in one thread while the others answer lookups."""
    timeout: int = 60
    """TITLECERT_WEB_TIMEOUT: seconds before a silent worker is killed and replaced (the sandbox's
    own wall-clock limit is shorter)."""


def web_server(env: Mapping[str, str]) -> WebServer:
    """The gunicorn settings in `env`. Raises ConfigError for a value that is not a positive integer."""
    values: dict[str, int] = {}
    for name in ("workers", "threads", "timeout"):
        variable = f"TITLECERT_WEB_{name.upper()}"
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"{variable} must be a positive whole number, not {raw!r}")
        values[name] = int(raw)
    return WebServer(**values)


_RATE_LIMIT_VARIABLES = {
    "lookup": "TITLECERT_RATE_LIMIT_LOOKUP",
    "match": "TITLECERT_RATE_LIMIT_MATCH",
    "match_per_certificate": "TITLECERT_RATE_LIMIT_MATCH_CERTIFICATE",
    "upload": "TITLECERT_RATE_LIMIT_UPLOAD",
    "receipt": "TITLECERT_RATE_LIMIT_RECEIPT",
}


def rate_limits(env: Mapping[str, str]) -> RateLimits:
    """The limits set in the environment over the defaults, counted in memory or in the Redis of
    TITLECERT_REDIS_URL (shared by every process). Raises ConfigError naming the variable whose
    value is not a rate limit."""
    given = {name: value for name, var in _RATE_LIMIT_VARIABLES.items() if (value := env.get(var))}
    if given:  # imported only to check a value that was set: it adds 60 ms to every command's start
        from limits import parse_many
    for name, value in given.items():
        try:
            parse_many(value)
        except ValueError as e:
            raise ConfigError(
                f"{_RATE_LIMIT_VARIABLES[name]} must be a rate limit such as '10/minute' "
                f"(several joined by ';'), not {value!r}"
            ) from e
    prefix = env.get("TITLECERT_RATE_LIMIT_PREFIX")
    return RateLimits(
        **given,
        storage_uri=env.get("TITLECERT_REDIS_URL") or "memory://",
        **({"key_prefix": prefix} if prefix else {}),
    )


def count(env: Mapping[str, str], name: str) -> int:
    """A whole number ≥ 0 from the environment (0 when unset). Raises ConfigError otherwise."""
    value = env.get(name, "0").strip() or "0"
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number (0 or more), not {value!r}")
    return int(value)
