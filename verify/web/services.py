"""What the verify site's views share: the services the application attaches, and noting a
verification for the holder. Apart from the site's package so that the API and the error pages
use them without importing the site back.
"""

from dataclasses import dataclass, field

from flask import current_app, request

from registry.db import Registry
from signing.trust import RevocationSources, TrustSettings
from verify.checks import Analyser
from verify.ratelimits import RateLimits
from verify.sandbox import IsolatedAnalyser
from verify.transparency import Channel, note_verification

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
EXTENSION = "titlecert.verify"


@dataclass(frozen=True)
class VerifyServices:
    """What the views need, attached to the app by the application's factory."""

    trust: TrustSettings
    registry: Registry
    verify_domain: str
    """The official domain, shown on every page."""
    analyser: Analyser = field(default_factory=IsolatedAnalyser)
    """How uploads are parsed: in an isolated, resource-limited worker by default."""
    id_key: bytes | None = None
    """The instance secret keying holder ID hashes, for the match check (None: ID checks answer 409)."""
    limits: RateLimits = field(default_factory=RateLimits)
    """The request limits and where their counters live."""
    revocation: RevocationSources | None = None
    """The OCSP responders asked about seals whose file carries no revocation data (None: nobody)."""


def current_services() -> VerifyServices:
    """The services of the app handling the request."""
    services: VerifyServices = current_app.extensions[EXTENSION]
    return services


def note(channel: Channel, certificate_no: str | None, verdict: str) -> None:
    """Note a verification of a registered certificate for its holder (never fails the request)."""
    if certificate_no:
        agent = request.headers.get("User-Agent")
        note_verification(
            current_services().registry,
            certificate_no,
            channel=channel,
            verdict=verdict,
            address=request.remote_addr,
            user_agent=agent,
        )
