"""Fresh revocation from the issuer's CRL, for when no allow-listed OCSP responder gave an answer
that verifies (verify.revocation): which fetched CRL is believed, and a per-process cache of those
that were, so that one fetch serves every verification for a few minutes.

Why our own checks over cryptography's x509 CRL API rather than pyHanko-certvalidator's CRL
handling: certvalidator fetches from the certificate's own CRL distribution points (a forger names
those) and folds the list into a whole path validation that reports "revoked" as an exception
without the revocation date, while the ETSI decision (verify.revocation.judge) needs that date,
from an allow-listed URL. cryptography parses and verifies the list; we check what RFC 5280 section
6.3.3 asks of a complete CRL for an end-entity certificate: its issuer is the certificate's issuer
and signed it, it is current, it is neither a delta nor a partial CRL, and it has no critical
extension we do not understand.
"""

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from verify.fetch import CLOCK_SKEW, Unbelieved, fetch

MAX_CRL_BYTES = 1024 * 1024
"""A CRL lists every unexpired certificate its CA revoked, some 40 bytes each: more room than an
OCSP answer about one certificate needs."""
MAX_CACHE_AGE = dt.timedelta(minutes=5)
"""How long a believed CRL serves lookups at most, however late its nextUpdate: a revocation the CA
has published is seen within minutes."""

_UNDERSTOOD = {ExtensionOID.ISSUING_DISTRIBUTION_POINT}
"""The critical CRL extensions whose meaning read_crl and revocation_date take into account."""
_UNDERSTOOD_IN_ENTRY = {CRLEntryExtensionOID.CRL_REASON, CRLEntryExtensionOID.INVALIDITY_DATE}


def _scope(crl: x509.CertificateRevocationList) -> x509.IssuingDistributionPoint | None:
    try:
        return crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return None


def read_crl(der: bytes, issuer: x509.Certificate, now: dt.datetime) -> x509.CertificateRevocationList:
    """The DER CRL, if it may settle the status of `issuer`'s end-entity certificates. Raises
    Unbelieved for a CRL named or signed by another CA, from the future, without nextUpdate or
    past it, a delta CRL, one that leaves out some certificates or reasons, or one with a critical
    extension we do not understand."""
    try:
        crl = x509.load_der_x509_crl(der)
        _check(crl, issuer, now)
    except ValueError as e:  # cryptography parses extensions when first read
        raise Unbelieved(f"malformed: {e}") from e
    return crl


def _check(crl: x509.CertificateRevocationList, issuer: x509.Certificate, now: dt.datetime) -> None:
    if crl.issuer != issuer.subject:
        raise Unbelieved("names another CA as its issuer")
    try:  # a key that cannot sign (X25519, X448) is a TypeError: hence the ignore
        signed = crl.is_signature_valid(issuer.public_key())  # type: ignore[arg-type]
    except (TypeError, UnsupportedAlgorithm) as e:
        raise Unbelieved("unsupported signature algorithm") from e
    if not signed:
        raise Unbelieved("not signed by the seal certificate's issuer")
    if crl.last_update_utc > now + CLOCK_SKEW:
        raise Unbelieved("thisUpdate is in the future")
    if crl.next_update_utc is None:
        raise Unbelieved("no nextUpdate: nothing says how long it is current")
    if crl.next_update_utc < now - CLOCK_SKEW:
        raise Unbelieved("stale: nextUpdate has passed")
    try:
        crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator)
    except x509.ExtensionNotFound:
        pass
    else:
        raise Unbelieved("a delta CRL: absence from it proves nothing")
    if any(e.critical and e.oid not in _UNDERSTOOD for e in crl.extensions):
        raise Unbelieved("a critical extension we do not understand")
    scope = _scope(crl)
    if scope and (
        scope.only_contains_ca_certs
        or scope.only_contains_attribute_certs
        or scope.only_some_reasons
        or scope.indirect_crl
    ):
        raise Unbelieved("a partial CRL: not every end-entity certificate or reason")


def _distribution_points(cert: x509.Certificate) -> list[x509.GeneralName]:
    try:
        points = cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name for point in points for name in point.full_name or ()]


def revocation_date(crl: x509.CertificateRevocationList, cert: x509.Certificate) -> dt.datetime | None:
    """When a believed CRL says `cert` was revoked; None: not listed, so not revoked. Raises
    Unbelieved when the CRL covers only a partition that `cert` does not name (RFC 5280 5.2.5),
    or when its entry for `cert` is malformed or has a critical extension we do not understand."""
    scope = _scope(crl)
    if scope and scope.full_name and not set(scope.full_name) & set(_distribution_points(cert)):
        raise Unbelieved("covers another partition of the CA's certificates")
    entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
    if entry is None:
        return None
    try:
        extensions = list(entry.extensions)
    except ValueError as e:
        raise Unbelieved(f"malformed entry: {e}") from e
    if any(e.critical and e.oid not in _UNDERSTOOD_IN_ENTRY for e in extensions):
        raise Unbelieved("the entry has a critical extension we do not understand")
    return entry.revocation_date_utc


def fetch_crl(url: str, timeout: float) -> bytes:
    return fetch(url, timeout=timeout, limit=MAX_CRL_BYTES)


@dataclass(frozen=True)
class Believed:
    crl: x509.CertificateRevocationList
    fetched_at: dt.datetime
    until: dt.datetime
    """min(nextUpdate, fetched_at + the cache's max age): when it is fetched again."""


class CrlCache:
    """The believed CRLs of one process, per URL and issuer, each kept until `Believed.until`.

    Thread-safe: the site's worker threads share one, and lookups of the same CRL while it is being
    fetched wait for that fetch instead of making their own. A CRL that is not believed is not kept.
    """

    def __init__(
        self,
        fetch: Callable[[str, float], bytes] = fetch_crl,
        max_age: dt.timedelta = MAX_CACHE_AGE,
    ) -> None:
        self._fetch = fetch
        self._max_age = max_age
        self._lock = threading.Lock()
        self._held: dict[tuple[str, bytes], Believed] = {}
        self._fetching: dict[tuple[str, bytes], threading.Lock] = {}

    def believed(self, url: str, issuer: x509.Certificate, now: dt.datetime, timeout: float) -> Believed:
        """The CRL at `url` for `issuer`: the one kept if still current at `now`, else fetched and
        read now. Raises OSError when it cannot be fetched, Unbelieved when it is not believed."""
        key = (url, issuer.fingerprint(hashes.SHA256()))
        with self._lock:
            one_fetch = self._fetching.setdefault(key, threading.Lock())
        with one_fetch:
            with self._lock:
                held = self._held.get(key)
            if held is not None and held.fetched_at <= now < held.until:
                return held
            crl = read_crl(self._fetch(url, timeout), issuer, now)
            next_update = crl.next_update_utc or now  # never None: read_crl refuses a CRL without one
            held = Believed(crl, now, min(next_update, now + self._max_age))
            with self._lock:
                self._held[key] = held
            return held


__all__ = [
    "MAX_CACHE_AGE",
    "MAX_CRL_BYTES",
    "Believed",
    "CrlCache",
    "fetch_crl",
    "read_crl",
    "revocation_date",
]
