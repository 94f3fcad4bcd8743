"""The offline QR: a certificate's essential facts signed with the service's offline key.

The layout follows the EU Digital COVID Certificate's HCERT profile (docs/offline-qr.md): CWT claims in
CBOR (RFC 8949), signed as COSE_Sign1 with ES256 (RFC 9052), zlib-compressed, base45 text (RFC 9285)
behind the prefix `TC1:`. The statement says what the registry knew when it was signed, nothing about
revocation since; it expires (`exp`) so that an old photo sends the reader to the online check.
"""

import base64
import datetime as dt
import hashlib
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID

from signing.errors import SigningError
from signing.offlinecodec import CborValue, CodecError, Tagged, b45decode, b45encode, cbor_dumps, cbor_loads

PREFIX = "TC1:"
ISSUER = "titlecert"
VALID_YEARS = 5
COSE_SIGN1_TAG = 18
ES256 = -7
_ALG, _KID = 1, 4  # COSE header labels
_ISS, _EXP, _IAT, _CLAIM = 1, 4, 6, -261  # CWT claim keys; -261 is this format's private claim
_FIELDS = {"no": "number", "n": "holder", "id": "id_masked", "t": "title", "l": "level",
           "s": "series", "c": "committee", "p": "passed", "d": "issued"}  # fmt: skip


class OfflineQrError(SigningError):
    """An offline QR payload was not accepted; the message says why and what to do."""


@dataclass(frozen=True)
class OfflineFacts:
    """What the offline QR states about one certificate; names and ID numbers already masked."""

    number: str
    holder: str
    id_masked: str
    title: str
    level: str
    series: str
    committee: str
    passed: str
    issued: str


@dataclass(frozen=True)
class Verified:
    """A verified statement: its facts, who signed it, when, and until when it may be relied on."""

    facts: OfflineFacts
    kid: str
    issued_at: dt.datetime
    expires: dt.datetime


def mask_name(name: str) -> str:
    """A holder's name with all but its first and last characters starred (张三 becomes 张*)."""
    if len(name) <= 2:
        return name[:1] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def key_id(cert: x509.Certificate) -> bytes:
    """The key id as HCERT has it: the first 8 bytes of the SHA-256 of the certificate's DER."""
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest()[:8]


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor_dumps(["Signature1", protected, b"", payload])


def sign_statement(
    facts: OfflineFacts, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate, *, now: dt.datetime
) -> str:
    """The `TC1:` text of `facts` signed at `now`, valid VALID_YEARS years of 365.25 days; QR it as is."""
    exp = now + dt.timedelta(days=round(365.25 * VALID_YEARS))
    record = asdict(facts)
    claim: dict[CborValue, CborValue] = {short: record[long] for short, long in _FIELDS.items()}
    claims: dict[CborValue, CborValue] = {
        _ISS: ISSUER,
        _IAT: int(now.timestamp()),
        _EXP: int(exp.timestamp()),
        _CLAIM: claim,
    }
    payload = cbor_dumps(claims)
    protected = cbor_dumps({_ALG: ES256, _KID: key_id(cert)})
    r, s = decode_dss_signature(key.sign(_sig_structure(protected, payload), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    cose = cbor_dumps(Tagged(COSE_SIGN1_TAG, [protected, {}, payload, signature]))
    return PREFIX + b45encode(zlib.compress(cose, 9))


def _unpack(text: str) -> tuple[bytes, bytes, bytes]:
    """The protected header, payload and signature of a `TC1:` text."""
    text = text.strip()
    if not text.startswith(PREFIX):
        raise OfflineQrError(f"not an offline certificate QR: it does not start with {PREFIX}")
    try:
        cose = cbor_loads(zlib.decompress(b45decode(text[len(PREFIX) :])))
    except (CodecError, zlib.error) as exc:
        raise OfflineQrError(f"the offline QR is damaged or altered ({exc}); scan it again") from None
    if isinstance(cose, Tagged) and cose.tag == COSE_SIGN1_TAG:
        cose = cose.value
    match cose:
        case [bytes() as protected, dict(), bytes() as payload, bytes() as signature]:
            return protected, payload, signature
    raise OfflineQrError("the offline QR is not a COSE_Sign1 message")


def verify_statement(
    text: str, trusted: dict[bytes, ec.EllipticCurvePublicKey], *, now: dt.datetime
) -> Verified:
    """The facts of a `TC1:` text whose signature a trusted key checks and which has not expired.

    Raises OfflineQrError naming what failed: damaged text, an unknown key id, a bad signature, expiry.
    """
    protected, payload, signature = _unpack(text)
    try:
        header = cbor_loads(protected)
    except CodecError as exc:
        raise OfflineQrError(f"the offline QR's header is damaged ({exc})") from None
    kid = header.get(_KID) if isinstance(header, dict) and header.get(_ALG) == ES256 else None
    if not isinstance(kid, bytes):
        raise OfflineQrError("the offline QR is not signed with ES256 under a key id")
    public = trusted.get(kid)
    if public is None:
        raise OfflineQrError(f"the offline QR is signed by key {kid.hex()}, which is not in the trust list")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        if len(signature) != 64:
            raise InvalidSignature
        public.verify(der, _sig_structure(protected, payload), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise OfflineQrError("the offline QR's signature does not match: it was altered or forged") from None
    return _claims(cbor_loads(payload), kid, now)


def _claims(claims: CborValue, kid: bytes, now: dt.datetime) -> Verified:
    claim = claims.get(_CLAIM) if isinstance(claims, dict) else None
    if not isinstance(claims, dict) or not isinstance(claim, dict):
        raise OfflineQrError("the offline QR's signed payload has no certificate facts")
    iat, exp = claims.get(_IAT), claims.get(_EXP)
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise OfflineQrError("the offline QR's signed payload has no issue or expiry time")
    values = {long: claim.get(short) for short, long in _FIELDS.items()}
    if not all(isinstance(v, str) for v in values.values()):
        raise OfflineQrError("the offline QR's signed payload lacks a certificate fact")
    expires = dt.datetime.fromtimestamp(exp, dt.UTC)
    if now >= expires:
        raise OfflineQrError(
            f"the offline QR's statement expired on {expires:%Y-%m-%d}; check the certificate online"
        )
    facts = OfflineFacts(**{k: str(v) for k, v in values.items()})
    return Verified(facts, kid.hex(), dt.datetime.fromtimestamp(iat, dt.UTC), expires)


def load_trust_list(path: Path) -> dict[bytes, ec.EllipticCurvePublicKey]:
    """The offline keys trusted by a PEM file of certificates, by key id; OfflineQrError if unusable."""
    try:
        certs = x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise OfflineQrError(f"{path}: the offline trust list cannot be read ({exc})") from None
    out = {}
    for cert in certs:
        public = cert.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name != "secp256r1":
            raise OfflineQrError(
                f"{path}: an offline key must be ECDSA P-256 ({cert.subject.rfc4514_string()})"
            )
        out[key_id(cert)] = public
    return out


def create_demo_offline_key(
    directory: Path, *, now: dt.datetime, label: str = "DEMO"
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Make a DEMO offline-QR key and self-signed certificate: write `offline-qr.key` (owner-only) and
    `offline-qr.pem`, the trust list to ship to verifiers."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{label} titlecert offline QR signer")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.KeyUsage(True, *[False] * 8), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    directory.mkdir(parents=True, exist_ok=True)
    key_path = directory / "offline-qr.key"
    key_path.touch(mode=0o600)
    key_path.chmod(0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    (directory / "offline-qr.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def load_offline_key(directory: Path) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The offline-QR key and certificate kept in `directory`; OfflineQrError if missing or unusable."""
    try:
        key = serialization.load_pem_private_key((directory / "offline-qr.key").read_bytes(), None)
        cert = x509.load_pem_x509_certificate((directory / "offline-qr.pem").read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise OfflineQrError(f"{directory}: no usable offline-QR key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise OfflineQrError(f"{directory}: the offline-QR key must be ECDSA P-256")
    return key, cert


def trusted_jwks(trusted: dict[bytes, ec.EllipticCurvePublicKey]) -> dict[str, dict[str, str]]:
    """The trusted keys as the offline page embeds them: key id (hex) to JWK `x` and `y` (base64url)."""

    def b64(n: int) -> str:
        return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()

    return {
        kid.hex(): {"x": b64(key.public_numbers().x), "y": b64(key.public_numbers().y)}
        for kid, key in trusted.items()
    }
