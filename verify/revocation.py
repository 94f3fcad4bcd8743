"""Fresh revocation for online verification: the issuer's OCSP responder asked about each trusted
seal whose revocation the file's own validation data did not settle (PAdES B-B/B-T files), and when
no responder gives an answer that verifies, the issuer's CRL (verify.crl).

Only allow-listed responders and CRLs are fetched (signing.trust.RevocationSources), never a URL
from the file or a certificate's AIA or CRL distribution points, and only from the verifying
process: the sandboxed analysis has no network, so it hands over each seal's certificate and its
issuer's (Analysis.seal_certificates).

Why our own checks over cryptography's x509.ocsp rather than pyHanko-certvalidator's OCSP handling:
certvalidator fetches from the certificate's own AIA URLs and folds the answer into a whole path
validation that reports "revoked" as an exception without the revocation time, while the ETSI
decision below needs the status and that time from an allow-listed responder. cryptography parses
and builds the messages; we check what RFC 6960 section 3.2 asks of a client: the signer is the CA
or a responder certificate it issued with OCSPSigning, the CertID is ours, the answer is fresh.
"""

import base64
import datetime as dt
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509 import ocsp

from signing.trust import RevocationSources
from verify.checks import Analysis
from verify.crl import CrlCache, revocation_date
from verify.fetch import CLOCK_SKEW, Unbelieved, fetch
from verify.indications import SubIndication
from verify.report import Finding, SignatureReport, Verdict
from verify.rules import RuleId
from verify.text import Text
from verify.wording import NO_ONLINE_ANSWER, ONLINE_SOURCES, beijing

log = logging.getLogger(__name__)

MAX_AGE = dt.timedelta(days=1)
"""How old an answer without nextUpdate may be."""
MAX_RESPONSE_BYTES = 64 * 1024


class Status(StrEnum):
    """What online verification learnt of one seal certificate."""

    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    """The responder does not know the certificate."""
    UNAVAILABLE = "unavailable"
    """No responder or CRL answered in time with an answer that verifies."""


class Source(StrEnum):
    """What the status was learnt from (the keys of verify.wording.ONLINE_SOURCES)."""

    OCSP = "ocsp"
    CRL = "crl"


@dataclass(frozen=True)
class Answer:
    status: Status
    checked_at: dt.datetime
    """When the responder was asked or the CRL fetched (UTC)."""
    revoked_at: dt.datetime | None = None
    source: Source | None = None
    """None: nothing gave an answer that verifies."""


CRLS = CrlCache()
"""This process's believed CRLs: one fetch serves every verification for a few minutes."""


def _key_hash(cert: x509.Certificate) -> bytes:
    """SHA-1 of the subject public key's bits: OCSP's ResponderID byKey (RFC 6960 4.2.1)."""
    return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def _names(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    """Whether the response's ResponderID names `cert`."""
    if response.responder_key_hash is not None:
        return response.responder_key_hash == _key_hash(cert)
    return response.responder_name == cert.subject


def _verify_signature(cert: x509.Certificate, response: ocsp.OCSPResponse) -> None:
    key, algorithm = cert.public_key(), response.signature_hash_algorithm
    data, signature = response.tbs_response_bytes, response.signature
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm is not None:
            key.verify(signature, data, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm is not None:
            key.verify(signature, data, ec.ECDSA(algorithm))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, data)
        else:
            raise Unbelieved("unsupported signature algorithm")
    except InvalidSignature as e:
        raise Unbelieved("signature does not verify") from e


def _signer(response: ocsp.OCSPResponse, issuer: x509.Certificate, now: dt.datetime) -> x509.Certificate:
    """The certificate that may answer for `issuer`'s certificates: the CA itself, or a delegated
    responder it issued (OCSPSigning EKU) valid now, named by the response."""
    if _names(response, issuer):
        return issuer
    for candidate in response.certificates:
        if not _names(response, candidate):
            continue
        try:
            candidate.verify_directly_issued_by(issuer)
            eku = candidate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        except (ValueError, TypeError, InvalidSignature, x509.ExtensionNotFound):
            continue
        current = candidate.not_valid_before_utc <= now <= candidate.not_valid_after_utc
        if x509.oid.ExtendedKeyUsageOID.OCSP_SIGNING in eku and current:
            return candidate
    raise Unbelieved("not signed by the CA or a responder it delegated")


def _ours(single: ocsp.OCSPSingleResponse, cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether a single response's CertID is that of `cert` under `issuer` (a serial alone could
    be another CA's)."""
    algorithm = single.hash_algorithm
    probe = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, algorithm).build()
    return (single.serial_number, single.issuer_name_hash, single.issuer_key_hash) == (
        probe.serial_number,
        probe.issuer_name_hash,
        probe.issuer_key_hash,
    )


def read_answer(
    der: bytes,
    cert: x509.Certificate,
    issuer: x509.Certificate,
    now: dt.datetime,
    nonce: bytes | None = None,
) -> Answer:
    """What a DER OCSP response proves about `cert`. Raises Unbelieved for a response that is
    unsuccessful, signed by anyone but the CA or its delegated responder, about another
    certificate, stale or from the future, or echoing another nonce."""
    try:
        response = ocsp.load_der_ocsp_response(der)
    except ValueError as e:
        raise Unbelieved("not an OCSP response") from e
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise Unbelieved(f"responder says {response.response_status.name}")
    try:
        _verify_signature(_signer(response, issuer, now), response)
        single = next((s for s in response.responses if _ours(s, cert, issuer)), None)
    except UnsupportedAlgorithm as e:
        raise Unbelieved("unsupported algorithm") from e
    if single is None:
        raise Unbelieved("answers about another certificate")
    if single.this_update_utc > now + CLOCK_SKEW:
        raise Unbelieved("thisUpdate is in the future")
    expires = single.next_update_utc or single.this_update_utc + MAX_AGE
    if expires < now - CLOCK_SKEW:
        raise Unbelieved("stale: nextUpdate has passed")
    try:
        echoed = response.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce
    except x509.ExtensionNotFound:
        echoed = None  # many responders never echo; freshness then rests on thisUpdate
    if nonce is not None and echoed is not None and echoed != nonce:
        raise Unbelieved("answers another request (nonce)")
    if single.certificate_status is ocsp.OCSPCertStatus.GOOD:
        return Answer(Status.GOOD, now, source=Source.OCSP)
    if single.certificate_status is ocsp.OCSPCertStatus.REVOKED:
        return Answer(Status.REVOKED, now, single.revocation_time_utc, Source.OCSP)
    return Answer(Status.UNKNOWN, now, source=Source.OCSP)


def ask(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    sources: RevocationSources,
    now: dt.datetime,
    crls: CrlCache = CRLS,
) -> Answer:
    """Ask each allow-listed responder in turn, then, if none gave an answer that verifies, look
    the certificate up in each allow-listed CRL; the first answer believed counts."""
    nonce = secrets.token_bytes(16)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert, issuer, hashes.SHA256())
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .build()
        .public_bytes(serialization.Encoding.DER)
    )
    for url in sources.ocsp_urls:
        try:
            reply = fetch(
                url,
                timeout=sources.timeout,
                limit=MAX_RESPONSE_BYTES,
                body=request,
                content_type="application/ocsp-request",
            )
            return read_answer(reply, cert, issuer, now, nonce)
        except (OSError, Unbelieved) as e:  # timeouts and HTTP errors are OSErrors
            log.warning("OCSP responder %s gave no usable answer: %s", url, e)
    for url in sources.crl_urls:
        try:
            believed = crls.believed(url, issuer, now, sources.timeout)
            revoked_at = revocation_date(believed.crl, cert)
        except (OSError, Unbelieved) as e:
            log.warning("CRL %s gave no usable answer: %s", url, e)
            continue
        status = Status.GOOD if revoked_at is None else Status.REVOKED
        return Answer(status, believed.fetched_at, revoked_at, Source.CRL)
    return Answer(Status.UNAVAILABLE, now)


def _certificate(b64: str) -> x509.Certificate:
    return x509.load_der_x509_certificate(base64.b64decode(b64))


def needs_asking(seal: SignatureReport) -> bool:
    """A trusted seal whose revocation the file's own data did not settle."""
    return seal.trusted and not seal.revocation_checked


def judge(number: int, seal: SignatureReport, answer: Answer) -> Iterator[Finding]:
    """The decision table (docs/verification.md): what the answer means for seal `number`, given
    the time its own time stamp proves (None for B-B)."""
    n = number
    source = ONLINE_SOURCES[answer.source or Source.OCSP]
    checked = Text(f"经{source.zh}在线核查", f"checked online with {source.en}")
    if answer.status is Status.GOOD:
        yield Finding(
            RuleId.ONLINE_SEAL_CHECKED,
            Text(
                f"印章 {n} 的证书{checked.zh}，未被吊销",
                f"seal {n}'s certificate was {checked.en}: not revoked",
            ),
            seal=n,
        )
        return
    if answer.status is not Status.REVOKED or answer.revoked_at is None:
        why = (
            Text(
                "签发机构的 OCSP 服务不认识该证书",
                "the issuer's OCSP responder does not know the certificate",
            )
            if answer.status is Status.UNKNOWN
            else NO_ONLINE_ANSWER
        )
        yield Finding(
            RuleId.ONLINE_SEAL_STATUS_KNOWN,
            Text(
                f"暂时无法在线核查印章 {n} 的证书是否被吊销：",
                f"whether seal {n}'s certificate was revoked cannot be checked online now: ",
            )
            + why
            + Text("；请稍后再试", "; try again later"),
            Verdict.INDETERMINATE,
            n,
            SubIndication.TRY_LATER,
        )
        return
    revoked = beijing(answer.revoked_at) or Text("", "")
    proven = dt.datetime.fromisoformat(seal.timestamp) if seal.timestamp else None
    if proven is None:
        yield Finding(
            RuleId.ONLINE_SEAL_NOT_REVOKED,
            Text(
                f"印章 {n} 的证书已于 {revoked.zh} 被吊销（{checked.zh}），"
                "文件中没有时间戳证明印章加盖于吊销之前",
                f"seal {n}'s certificate was revoked on {revoked.en} ({checked.en}) and no time stamp "
                "proves the seal was made before that",
            ),
            Verdict.INDETERMINATE,
            n,
            SubIndication.REVOKED_NO_POE,
        )
    elif proven >= answer.revoked_at:
        made = beijing(proven) or Text("", "")
        yield Finding(
            RuleId.ONLINE_SEAL_NOT_REVOKED,
            Text(
                f"印章 {n} 加盖于 {made.zh}，晚于其证书被吊销的时间 {revoked.zh}（{checked.zh}）",
                f"seal {n} was made on {made.en}, after its certificate was revoked on {revoked.en} "
                f"({checked.en})",
            ),
            Verdict.INVALID,
            n,
            SubIndication.REVOKED,
        )
    else:
        yield Finding(
            RuleId.ONLINE_SEAL_NOT_REVOKED,
            Text(
                f"印章 {n} 的证书已于 {revoked.zh} 被吊销（{checked.zh}），晚于时间戳证明的盖章时间："
                "这个印章仍然有效",
                f"seal {n}'s certificate was revoked on {revoked.en} ({checked.en}), after this seal was "
                "made (as its time stamp proves): the seal stands",
            ),
            seal=n,
        )


def check_online(
    analysis: Analysis, sources: RevocationSources, now: dt.datetime | None = None, crls: CrlCache = CRLS
) -> tuple[tuple[Finding, ...], tuple[SignatureReport, ...]]:
    """Ask about every seal that needs it: the findings, and the seals with what was learnt
    (SignatureReport.online_status, online_checked_at and online_source, which the revocation line
    says)."""
    findings: list[Finding] = []
    seals = list(analysis.signatures)
    for i, (seal, certs) in enumerate(zip(analysis.signatures, analysis.seal_certificates, strict=False)):
        signer, issuer = certs
        if not needs_asking(seal) or issuer is None or not (sources.ocsp_urls or sources.crl_urls):
            continue
        at = now or dt.datetime.now(dt.UTC)
        answer = ask(_certificate(signer), _certificate(issuer), sources, at, crls)
        findings.extend(judge(i + 1, seal, answer))
        seals[i] = replace(
            seal,
            online_status=answer.status.value,
            online_checked_at=answer.checked_at.isoformat(),
            online_source=answer.source.value if answer.source else None,
        )
    return tuple(findings), tuple(seals)


__all__ = [
    "CRLS",
    "Answer",
    "Source",
    "Status",
    "ask",
    "check_online",
    "judge",
    "needs_asking",
    "read_answer",
]
