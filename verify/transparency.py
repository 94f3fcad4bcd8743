"""Holder transparency: every verification of a certificate is noted, coarsely, and the holder
sees the list with their secret.

What is kept of a requester is their network (/24 for IPv4, /48 for IPv6) and browser family,
never the address or the full User-Agent. Noting a verification never fails the verification.
"""

import datetime as dt
import ipaddress
import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from registry.chinatime import as_utc
from registry.db import Registry
from registry.lifecycle import lineage
from registry.verifications import Verification
from verify.logwriter import VerificationWriter
from verify.registered import CertificateView

log = logging.getLogger(__name__)

HOLDER_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
"""What a holder secret looks like (`secrets.token_urlsafe(24)` gives 32 characters)."""


class Channel(StrEnum):
    """How a certificate was verified (stored)."""

    SCAN = "scan"
    """The page a QR code opens."""
    API = "api"
    """A lookup through /api/v1/certificates/<token>."""
    UPLOAD = "upload"
    """A PDF uploaded on the site or to /api/v1/verify and found in the registry."""
    MATCH = "match"
    """A known-value match check (the API's, or the scan page's form)."""
    CODE = "code"
    """The certificate number and verification code typed on the home page, then its scan page."""


# Order matters: many browsers name others in their User-Agent (Edge says Chrome and Safari).
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("DingTalk", "DingTalk"),
    ("AlipayClient", "Alipay"),
    ("QQBrowser", "QQ Browser"),
    ("UCBrowser", "UC Browser"),
    ("baiduboxapp", "Baidu"),
    ("HuaweiBrowser", "Huawei Browser"),
    ("MiuiBrowser", "Xiaomi Browser"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("curl/", "curl"),
    ("python-requests", "python-requests"),
    ("Python-urllib", "Python"),
    ("Wget", "Wget"),
)


def browser_family(user_agent: str | None) -> str:
    """The browser (or client program) family named by a User-Agent, without versions; `other`."""
    if not user_agent:
        return "unknown client"
    for marker, family in _BROWSERS:
        if marker in user_agent:
            return family
    return "other"


def network_of(address: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) network of an address, e.g. 203.0.113.0/24."""
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return "unknown network"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def describe_requester(address: str | None, user_agent: str | None) -> str:
    """What the holder may see of who verified: `203.0.113.0/24 · Chrome`."""
    return f"{network_of(address)} · {browser_family(user_agent)}"


def note_verification(
    registry: Registry,
    certificate_no: str,
    *,
    channel: Channel,
    verdict: str,
    address: str | None,
    user_agent: str | None,
    writer: VerificationWriter | None = None,
) -> None:
    """Note a verification in the holder's log: queued for `writer`'s thread, or written now
    without one. Never raises: a failure is logged and ignored, so the verification it describes
    still answers."""
    try:
        entry = Verification(
            certificate_no,
            channel=channel.value,
            verdict=verdict,
            requester=describe_requester(address, user_agent),
            at=dt.datetime.now(dt.UTC),
        )
        if writer is not None:
            writer.note(entry)
            return
        with registry.transaction() as ledger:
            ledger.verifications.record_many([entry])
    except Exception:  # whatever went wrong (database down, disk full), the verification must answer
        log.warning("could not note a %s verification of %s", channel.value, certificate_no, exc_info=True)


def note_token_verification(
    registry: Registry,
    token: str,
    *,
    channel: Channel,
    verdict: str,
    address: str | None,
    user_agent: str | None,
    writer: VerificationWriter | None = None,
) -> None:
    """`note_verification` for the certificate a QR token names (nothing for an unknown token)."""
    try:
        record = registry.public_by_token(token)
        number = record.certificate_no if record is not None else None
    except Exception:  # as in note_verification: never fail the verification
        log.warning("could not find the certificate of a %s verification", channel.value, exc_info=True)
        return
    if number is not None:
        note_verification(
            registry,
            number,
            channel=channel,
            verdict=verdict,
            address=address,
            user_agent=user_agent,
            writer=writer,
        )


@dataclass(frozen=True)
class VerificationSeen:
    """One verification, as the holder sees it."""

    certificate_no: str
    """The certificate verified (this one, or another of its chain of supersession)."""
    at: dt.datetime
    """When (UTC)."""
    channel: str
    """How: scan (the QR page), api (a lookup), upload (a PDF), match (a match check), code (the
    number and verification code typed on the home page)."""
    verdict: str
    """What the verifier was told: the certificate's status (scan, api), the file's verdict
    (upload), or match / mismatch (a match check)."""
    requester: str
    """Who, coarsely: the /24 (IPv4) or /48 (IPv6) network and the browser family."""


@dataclass(frozen=True)
class HolderView:
    """What a holder's secret opens."""

    certificates: list[CertificateView]
    """Their certificate and the others of its chain of supersession, the one in force first."""
    verifications: list[VerificationSeen]
    """Verifications of any of them, newest first (at most 500)."""


def holder_view(registry: Registry, secret: str, *, limit: int = 500) -> HolderView | None:
    """The holder's certificates and who verified them; None alike for unknown and malformed secrets."""
    if not HOLDER_SECRET_PATTERN.fullmatch(secret):
        return None
    with registry.transaction() as ledger:
        record = ledger.certificates.by_holder_secret(secret)
        if record is None:
            return None
        chain = lineage(ledger.certificates, record)
        entries = ledger.verifications.of([r.certificate_no for r in chain], limit=limit)
        return HolderView(
            certificates=[CertificateView.of(r) for r in chain],
            verifications=[
                VerificationSeen(e.certificate_no, as_utc(e.at), e.channel, e.verdict, e.requester)
                for e in entries
            ],
        )


__all__ = [
    "Channel",
    "HolderView",
    "VerificationSeen",
    "browser_family",
    "describe_requester",
    "holder_view",
    "network_of",
    "note_token_verification",
    "note_verification",
]
