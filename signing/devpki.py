"""The DEMO PKI: a root CA, the committee's and authority's signing certificates, a time-stamping
certificate and a delegated OCSP responder.

Generated at run time by `titlecert init` when no keys are configured; every name says DEMO so
that nobody mistakes it for a real office's keys. Never commit its output. Every certificate the CA
issues is also kept as `issued/<serial>.pem`, so the OCSP responder still answers for certificates
that were rotated out (`rotate`) and that old documents name.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from signing.roles import ROLE_POLICY_OIDS, Role

# RSA rather than ECDSA: pyHanko bumps the PDF to version 2.0 for ECDSA signatures, which PDF/A-2b
# forbids (docs/signing.md, "The DEMO PKI and PDF/A").
_KEY_BITS = 3072

# Lifetimes. A time-stamping certificate outlives the signing ones: documents are re-time-stamped
# (titlecert archive retimestamp) before it expires. The OCSP responder's is short and renewed by
# the services as it nears its end (OCSP no-check certificates should be short-lived, RFC 6960 §4.2.2.2.1).
LIFETIMES = {
    "signing": dt.timedelta(days=365 * 5),
    "timestamping": dt.timedelta(days=365 * 8),
    "ocsp": dt.timedelta(days=365),
}
ISSUED_DIR = "issued"
RETIRED_DIR = "retired"


@dataclass(frozen=True)
class DemoSigner:
    """One generated signing identity."""

    role: Role
    """The role its certificate holds."""
    pkcs12_path: Path
    """PKCS#12 file with key, certificate and chain."""
    passphrase_path: Path
    """File holding the PKCS#12 passphrase (mode 0600)."""
    display_name: str
    """The Chinese name drawn on the seal."""


@dataclass(frozen=True)
class DemoPki:
    """Paths of a generated demo PKI."""

    root_cert_path: Path
    """The trust anchor (PEM)."""
    signers: dict[Role, DemoSigner]
    """One signer per role."""
    tsa_pkcs12_path: Path
    """The time-stamping authority's key and certificate (critical timeStamping EKU)."""
    tsa_passphrase_path: Path
    ca_key_path: Path
    """The root's private key (PKCS#8, encrypted): it signs OCSP responses and CRLs."""
    ca_passphrase_path: Path


# Subject common names are limited to 64 bytes, so certificates carry a short name.
DEMO_SUBJECTS: dict[Role, str] = {
    Role.COMMITTEE: "工程技术大数据智能化高级评委会",
    Role.AUTHORITY: "重庆市职称改革办公室",
    Role.VERIFIER: "重庆市职称电子证书查验服务",
}

DEMO_NAMES: dict[Role, str] = {
    Role.COMMITTEE: "重庆市工程技术大数据智能化专业高级职称评审委员会（演示）",
    Role.AUTHORITY: "重庆市职称改革办公室（演示）",
    Role.VERIFIER: "重庆市职称电子证书查验服务（演示）",
}


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "titlecert DEMO PKI - not for production"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(b"")
    path.chmod(0o600)
    path.write_bytes(data)


class _LeafIssuer:
    """Issues the end-entity certificates of the demo PKI and writes them as PKCS#12."""

    def __init__(
        self, ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate, now: dt.datetime, services_url: str | None
    ) -> None:
        self.ca_key, self.ca_cert, self.now, self.services_url = ca_key, ca_cert, now, services_url

    def issue(
        self, directory: Path, stem: str, common_name: str, *, purpose: str, policy_oid: str | None = None
    ) -> tuple[Path, Path]:
        """Issue a key and certificate for `purpose` (signing, timestamping or ocsp) and write
        `stem`.p12 and `stem`.pass into `directory`."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
        cert = self.certificate(
            directory, key.public_key(), common_name, purpose=purpose, policy_oid=policy_oid
        )
        passphrase = secrets.token_urlsafe(24)
        p12 = pkcs12.serialize_key_and_certificates(
            name=stem.encode(),
            key=key,
            cert=cert,
            cas=[self.ca_cert],
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
        )
        p12_path, pass_path = directory / f"{stem}.p12", directory / f"{stem}.pass"
        _write_private(p12_path, p12)
        _write_private(pass_path, passphrase.encode())
        return p12_path, pass_path

    def certificate(
        self,
        directory: Path,
        public_key: rsa.RSAPublicKey,
        common_name: str,
        *,
        purpose: str,
        policy_oid: str | None = None,
    ) -> x509.Certificate:
        """An end-entity certificate for `public_key` and `purpose`, recorded in `directory`'s
        issued/ folder."""
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.ca_cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.now - dt.timedelta(days=1))
            .not_valid_after(min(self.now + LIFETIMES[purpose], self.ca_cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        )
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key())
        builder = builder.add_extension(aki, critical=False)
        if policy_oid:
            builder = builder.add_extension(
                x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier(policy_oid), None)]),
                critical=False,
            )
        if purpose == "timestamping":
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
        if purpose == "ocsp":
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=True
            ).add_extension(x509.OCSPNoCheck(), critical=False)
        elif self.services_url:
            base = self.services_url.rstrip("/")
            builder = builder.add_extension(
                x509.AuthorityInformationAccess(
                    [
                        x509.AccessDescription(
                            AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(f"{base}/ocsp")
                        )
                    ]
                ),
                critical=False,
            ).add_extension(
                x509.CRLDistributionPoints(
                    [
                        x509.DistributionPoint(
                            [x509.UniformResourceIdentifier(f"{base}/crl")], None, None, None
                        )
                    ]
                ),
                critical=False,
            )
        cert = builder.sign(self.ca_key, hashes.SHA256())
        issued = directory / ISSUED_DIR
        issued.mkdir(exist_ok=True)
        (issued / f"{cert.serial_number:x}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert


def create_demo_pki(
    directory: Path,
    *,
    now: dt.datetime | None = None,
    label: str = "DEMO",
    services_url: str | None = None,
    role_pkcs12: bool = True,
) -> DemoPki:
    """Create a root CA, one signing certificate per role and a time-stamping certificate.

    `label` goes into every name (tests make a second, untrusted PKI with another label).
    With `services_url`, the certificates name its /ocsp and /crl (served by `titlecert pki serve`).
    With `role_pkcs12=False` no role keys are made here (`signers` is empty): they are generated on
    a PKCS#11 token and certified with `certify_demo_key`.
    Raises OSError if the directory cannot be written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = now or dt.datetime.now(dt.UTC)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_BITS)
    root_name = _name(f"titlecert {label} Root CA")
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    root_path = directory / "root-ca.pem"
    root_path.write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))

    ca_pass = secrets.token_urlsafe(24)
    _write_private(directory / "root-ca.pass", ca_pass.encode())
    _write_private(
        directory / "root-ca.key",
        root_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(ca_pass.encode()),
        ),
    )
    leaf = _LeafIssuer(root_key, root_cert, now, services_url)
    signers: dict[Role, DemoSigner] = {}
    for role in Role if role_pkcs12 else ():
        display = DEMO_NAMES[role] if label == "DEMO" else f"{DEMO_NAMES[role]}{label}"
        p12_path, pass_path = leaf.issue(
            directory,
            role.value,
            f"{label} {DEMO_SUBJECTS[role]}",
            policy_oid=ROLE_POLICY_OIDS[role],
            purpose="signing",
        )
        signers[role] = DemoSigner(role, p12_path, pass_path, display)
    tsa_p12, tsa_pass = leaf.issue(directory, "tsa", _tsa_name(label), purpose="timestamping")
    leaf.issue(directory, "ocsp", _ocsp_name(label), purpose="ocsp")
    (directory / "README.txt").write_text(
        f"titlecert {label} PKI, generated {now.isoformat()} for demonstration and tests only.\n"
        "These keys prove nothing about any real committee or authority.\n",
        encoding="utf-8",
    )
    return DemoPki(
        root_path, signers, tsa_p12, tsa_pass, directory / "root-ca.key", directory / "root-ca.pass"
    )


def _tsa_name(label: str) -> str:
    return f"titlecert {label} Time Stamping Authority"


def _ocsp_name(label: str) -> str:
    return f"titlecert {label} OCSP Responder"


ROTATABLE = ("committee", "authority", "tsa", "ocsp")


def rotate(directory: Path, holder: str, *, services_url: str | None, now: dt.datetime | None = None) -> Path:
    """Replace `holder`'s key and certificate (committee, authority, tsa or ocsp) with new ones
    from the same demo CA; the old PKCS#12 moves to retired/ so that nothing issued is forgotten.

    Documents sealed with the old key keep verifying: roles are recognised by issuer and policy,
    not by pinned keys, and the old certificate stays known to the OCSP responder.
    Returns the new PKCS#12 path. Raises OSError or ValueError on an unreadable PKI directory.
    """
    if holder not in ROTATABLE:
        raise ValueError(f"cannot rotate {holder!r}; expected one of {', '.join(ROTATABLE)}")
    if (directory / f"{holder}.pem").exists():
        raise ValueError(
            f"the {holder} key is on a PKCS#11 token: generate its new key there (titlecert init on a fresh "
            "instance with --pkcs11-token), not as a file"
        )
    now = now or dt.datetime.now(dt.UTC)
    ca_cert = x509.load_pem_x509_certificate((directory / "root-ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key(
        (directory / "root-ca.key").read_bytes(), (directory / "root-ca.pass").read_bytes().strip()
    )
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise ValueError(f"{directory}: the demo CA key must be RSA")
    label = ca_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    label = str(label).removeprefix("titlecert ").removesuffix(" Root CA")
    retired = directory / RETIRED_DIR
    retired.mkdir(exist_ok=True)
    stamp = now.strftime("%Y%m%dT%H%M%S")
    for suffix in (".p12", ".pass"):
        old = directory / f"{holder}{suffix}"
        if old.exists():
            old.rename(retired / f"{holder}-{stamp}{suffix}")
    leaf = _LeafIssuer(ca_key, ca_cert, now, services_url)
    if holder == "tsa":
        return leaf.issue(directory, "tsa", _tsa_name(label), purpose="timestamping")[0]
    if holder == "ocsp":
        return leaf.issue(directory, "ocsp", _ocsp_name(label), purpose="ocsp")[0]
    role = Role(holder)
    return leaf.issue(
        directory,
        role.value,
        f"{label} {DEMO_SUBJECTS[role]}",
        policy_oid=ROLE_POLICY_OIDS[role],
        purpose="signing",
    )[0]


def certify_demo_key(
    directory: Path,
    role: Role,
    public_key: rsa.RSAPublicKey,
    *,
    label: str = "DEMO",
    services_url: str | None = None,
    now: dt.datetime | None = None,
) -> Path:
    """Have the demo CA in `directory` certify `public_key` (a key kept on a token) for `role`, with
    the same profile and policy OID as the PKCS#12 demo certificates; write it as `<role>.pem`.

    Raises OSError or ValueError if the CA files cannot be read, or OSError if the certificate
    cannot be written.
    """
    ca_cert = x509.load_pem_x509_certificate((directory / "root-ca.pem").read_bytes())
    ca_key = serialization.load_pem_private_key(
        (directory / "root-ca.key").read_bytes(), (directory / "root-ca.pass").read_bytes().strip()
    )
    if not isinstance(ca_key, rsa.RSAPrivateKey):
        raise ValueError(f"{directory}: the demo CA key must be RSA")
    leaf = _LeafIssuer(ca_key, ca_cert, now or dt.datetime.now(dt.UTC), services_url)
    cert = leaf.certificate(
        directory,
        public_key,
        f"{label} {DEMO_SUBJECTS[role]}",
        purpose="signing",
        policy_oid=ROLE_POLICY_OIDS[role],
    )
    path = directory / f"{role.value}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path
