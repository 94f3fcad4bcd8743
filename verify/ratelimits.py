"""The public service's request limits, as values: what the instance's settings give and
verify.web.limits applies. Apart from the site's package so that reading settings imports no web
framework."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """The limits, in flask-limiter's notation (`10/minute`; several joined by `;`)."""

    lookup: str = "60/minute"
    """Per client: scan pages and GET /api/v1/certificates/<token>."""
    match: str = "10/minute"
    """Per client: match checks."""
    match_per_certificate: str = "50/day"
    """Per certificate, from all clients together: match checks."""
    upload: str = "6/minute"
    """Per client: uploads."""
    storage_uri: str = "memory://"
    """Where the counters live: memory:// (one process) or a redis:// URL (shared)."""
    key_prefix: str = "titlecert"
    """Prefix of every counter's key."""
    receipt: str = "6/minute;60/day"
    """Per client: verification receipts downloaded (each starts a conversion and a seal)."""


__all__ = ["RateLimits"]
