"""What the verify site's views share: the services the application attaches, noting a
verification for the holder, and the match check as both the API and the scan page's form answer
it. Apart from the site's package so that the API and the error pages use them without importing
the site back.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, request

from registry.db import Registry
from signing.trust import RevocationSources, TrustSettings
from verify.checks import Analyser
from verify.errors import MatchUnavailable
from verify.logwriter import VerificationWriter
from verify.match import MatchQuery, match_holder
from verify.ratelimits import RateLimits
from verify.sandbox import IsolatedAnalyser
from verify.shares import ShareSeen
from verify.statement import Statement
from verify.transparency import Channel, note_token_verification, note_verification
from verify.web.logs import token_ref

log = logging.getLogger(__name__)

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
    session_secret: bytes | None = None
    """The instance secret keying the session cookie that carries the forms' CSRF tokens (None: a
    key for this process only)."""
    revocation: RevocationSources | None = None
    """The OCSP responders and CRLs asked about seals whose file carries no revocation data (None:
    nobody)."""
    receipts: Callable[[Statement], bytes] | None = None
    """Makes a statement's sealed receipt PDF, raising ReceiptUnavailable (None: no receipts)."""
    verifications: VerificationWriter | None = None
    """Writes the holders' verification log off the request path (None: each request writes its
    own entry before answering)."""
    holder_copies: Callable[[str, ShareSeen, dt.datetime], bytes] | None = None
    """Makes the annotated copy of a share link of a certificate, by number, at a moment (raises
    KeyError when the store holds no copy, ReceiptUnavailable when it cannot be sealed; None: the
    site offers none: titlecert.holder_copies)."""
    certificate_pdf: Callable[[str], bytes] | None = None
    """The archived PDF of a certificate as issued, by number, from the document store (raises
    KeyError when the store holds none; None: the site reads no store, and offers no download)."""


def current_services() -> VerifyServices:
    """The services of the app handling the request."""
    services: VerifyServices = current_app.extensions[EXTENSION]
    return services


def note(channel: Channel, certificate_no: str | None, verdict: str, *, share_id: int | None = None) -> None:
    """Note a verification of a registered certificate for its holder (never fails the request)."""
    if certificate_no:
        services = current_services()
        note_verification(
            services.registry,
            certificate_no,
            channel=channel,
            verdict=verdict,
            address=request.remote_addr,
            user_agent=request.headers.get("User-Agent"),
            writer=services.verifications,
            share_id=share_id,
        )


def noted_so_far() -> None:
    """Wait (briefly) until what this process has noted is written: before a holder reads their
    log, so that a verification answered here is on it. Other processes' writers write theirs
    within milliseconds of answering (verify.logwriter)."""
    writer = current_services().verifications
    if writer is not None and not writer.flush(timeout=2.0):
        log.warning("the verification log writer is behind; the holder's list may miss the newest")


def match_and_note(token: str, query: MatchQuery, *, via: str) -> bool | None:
    """verify.match's answer for the certificate `token` names (None: no such certificate), noted
    for its holder as a match check; `via` names the asker in the log (never the values asked).
    The views count it against Limited.MATCH. Raises MatchUnavailable (the ID check cannot answer)."""
    services = current_services()
    try:
        answer = match_holder(services.registry, token, query, id_key=services.id_key)
    except MatchUnavailable:
        log.info("%s match token=%s unavailable", via, token_ref(token))
        raise
    log.info(
        "%s match token=%s name=%s id=%s found=%s",
        via,
        token_ref(token),
        query.name is not None,
        query.id_number is not None,
        answer is not None,
    )
    if answer is not None:
        note_token_verification(
            services.registry,
            token,
            channel=Channel.MATCH,
            verdict="match" if answer else "mismatch",
            address=request.remote_addr,
            user_agent=request.headers.get("User-Agent"),
            writer=services.verifications,
        )
    return answer
