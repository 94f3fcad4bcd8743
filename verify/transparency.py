"""Holder transparency: every verification of a certificate is noted, coarsely, and the holder
sees the list with their secret.

What is kept of a requester is their network (/24 for IPv4, /48 for IPv6) and browser family,
never the address or the full User-Agent. Noting a verification never fails the verification.
"""

import datetime as dt
import ipaddress
import logging
import re
from dataclasses import dataclass, field
from enum import StrEnum

from registry import lifecycle
from registry.audit import Actor
from registry.chinatime import as_utc
from registry.db import Registry
from registry.holders import new_holder_secret
from registry.lifecycle import lineage
from registry.repository import hash_token
from registry.verifications import Verification
from verify import shares
from verify.logwriter import VerificationWriter
from verify.registered import CertificateView
from verify.shares import ShareSeen

log = logging.getLogger(__name__)

HOLDER_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{32,64}")
"""What a holder secret looks like (`secrets.token_urlsafe(24)` gives 32 characters)."""
HOLDER = Actor("holder", "holder")
"""Who the audit log names for what the holder did on their page (the secret is their only name)."""


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
    SHARE = "share"
    """One of the holder's share links (verify.shares), noted with the link."""


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
    share_id: int | None = None,
) -> None:
    """Note a verification in the holder's log (`share_id`: the share link it came by): queued for
    `writer`'s thread, or written now without one. Never raises: a failure is logged and ignored,
    so the verification it describes still answers."""
    try:
        entry = Verification(
            certificate_no,
            channel=channel.value,
            verdict=verdict,
            requester=describe_requester(address, user_agent),
            at=dt.datetime.now(dt.UTC),
            share_id=share_id,
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
    share_purpose: str | None = None
    """The purpose of the share link the verifier came by (channel share), else None."""


@dataclass(frozen=True)
class HolderView:
    """What a holder's secret opens."""

    certificates: list[CertificateView]
    """Their certificate and the others of its chain of supersession, the one in force first."""
    verifications: list[VerificationSeen]
    """Verifications of any of them, newest first (at most 500)."""
    shares: list[ShareSeen] = field(default_factory=list)
    """Their share links, the newest first, each with its state at the moment asked."""


def holder_view(
    registry: Registry, secret: str, *, limit: int = 500, now: dt.datetime | None = None
) -> HolderView | None:
    """The holder's certificates, who verified them and their share links (states as of `now`,
    default now); None alike for unknown and malformed secrets."""
    if not HOLDER_SECRET_PATTERN.fullmatch(secret):
        return None
    now = now or dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        record = ledger.certificates.by_holder_secret(secret)
        if record is None:
            return None
        chain = lineage(ledger.certificates, record)
        numbers = [r.certificate_no for r in chain]
        entries = ledger.verifications.of(numbers, limit=limit)
        links = ledger.shares.of(numbers)
        uses = ledger.shares.uses([link.id for link in links])
        purposes = {link.id: link.purpose for link in links}
        return HolderView(
            certificates=[CertificateView.of(r) for r in chain],
            verifications=[
                VerificationSeen(
                    e.certificate_no,
                    as_utc(e.at),
                    e.channel,
                    e.verdict,
                    e.requester,
                    purposes.get(e.share_id) if e.share_id is not None else None,
                )
                for e in entries
            ],
            shares=[shares.seen(link, now, uses.get(link.id, 0)) for link in links],
        )


def replace_holder_secret(registry: Registry, secret: str, *, now: dt.datetime) -> str | None:
    """A new secret for the holder's page in place of `secret` (a leaked link), which from now on
    opens nothing; audited (actor `holder`). Their share links stay. None for an unknown secret."""
    if not HOLDER_SECRET_PATTERN.fullmatch(secret):
        return None
    with registry.transaction() as ledger:
        record = ledger.certificates.by_holder_secret(secret)
        if record is None:
            return None
        new = new_holder_secret()
        lifecycle.replace_holder_secret(ledger, record, new_secret_hash=hash_token(new), at=now, actor=HOLDER)
        return new


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
    "replace_holder_secret",
]
