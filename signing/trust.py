"""Trust settings: the anchors verification accepts and how each role's certificate is recognised.

Roles are recognised by certificate, never by field name: a role names the CAs that may issue its
certificates and an identifying attribute (a certificate-policy OID, an extended key usage OID, or
pinned certificate fingerprints). The settings live in a JSON file written by `titlecert init`:

    {"anchors": ["pki/root-ca.pem"],
     "roles": {"committee": {"issuer_sha256": ["..."], "policy_oids": ["2.25..."],
                             "eku_oids": [], "signer_sha256": []}, ...}}

Paths are relative to the file's folder. Unknown keys are rejected.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509

from signing.errors import TrustConfigError
from signing.roles import Role


def sha256_fingerprint(cert: x509.Certificate) -> str:
    """Lower-case hex SHA-256 of the certificate's DER encoding."""
    return hashlib.sha256(cert.dump()).hexdigest()


def load_certificates(data: bytes) -> list[x509.Certificate]:
    """Parse one or more PEM (or a single DER) certificates."""
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


@dataclass(frozen=True)
class RolePolicy:
    """How a signing certificate proves it holds one role."""

    issuer_sha256: frozenset[str] = frozenset()
    """Fingerprints of the CAs allowed to issue this role's certificates (empty: any anchor)."""
    policy_oids: frozenset[str] = frozenset()
    """Certificate-policy OIDs that mark the role."""
    signer_sha256: frozenset[str] = frozenset()
    """Pinned fingerprints of signing certificates that hold the role."""
    eku_oids: frozenset[str] = frozenset()
    """Extended-key-usage OIDs that mark the role (an office's CA may mark roles this way)."""

    def matches(self, cert: x509.Certificate, issuer: x509.Certificate | None) -> bool:
        """True if `cert` (issued by `issuer`) holds this role."""
        if self.issuer_sha256 and (issuer is None or sha256_fingerprint(issuer) not in self.issuer_sha256):
            return False
        if sha256_fingerprint(cert) in self.signer_sha256:
            return True
        policies = cert.certificate_policies_value
        oids = {p["policy_identifier"].dotted for p in policies} if policies else set()
        usages = cert.extended_key_usage_value
        ekus = {u.dotted for u in usages} if usages else set()
        return bool(oids & self.policy_oids or ekus & self.eku_oids)


@dataclass(frozen=True)
class TrustSettings:
    """The trust anchors and the role policies."""

    anchors: tuple[x509.Certificate, ...]
    """Root certificates verification accepts; nothing else is trusted."""
    roles: dict[Role, RolePolicy] = field(default_factory=dict)
    """How each role is recognised."""

    def role_of(self, cert: x509.Certificate, issuer: x509.Certificate | None) -> Role | None:
        """The role `cert` holds, or None."""
        for role, policy in self.roles.items():
            if policy.matches(cert, issuer):
                return role
        return None

    def anchors_pem(self) -> str:
        """The anchors as concatenated PEM."""
        return "".join(pem.armor("CERTIFICATE", c.dump()).decode() for c in self.anchors)

    def to_dict(self) -> dict[str, object]:
        """A self-contained JSON form (anchors inline as PEM), e.g. for an isolated worker."""
        return {
            "anchors_pem": self.anchors_pem(),
            "roles": {
                role.value: {
                    "issuer_sha256": sorted(p.issuer_sha256),
                    "policy_oids": sorted(p.policy_oids),
                    "signer_sha256": sorted(p.signer_sha256),
                    "eku_oids": sorted(p.eku_oids),
                }
                for role, p in self.roles.items()
            },
        }

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> "TrustSettings":
        """The inverse of to_dict."""
        anchors = tuple(load_certificates(str(doc["anchors_pem"]).encode()))
        roles = {
            Role(name): RolePolicy(
                frozenset(spec["issuer_sha256"]),
                frozenset(spec["policy_oids"]),
                frozenset(spec["signer_sha256"]),
                frozenset(spec["eku_oids"]),
            )
            for name, spec in doc["roles"].items()
        }
        return cls(anchors, roles)


@dataclass(frozen=True)
class RevocationSources:
    """Whom online verification may ask whether a seal certificate was revoked.

    An allow-list the operator configures (TITLECERT_OCSP_URLS, TITLECERT_CRL_URLS): a URL named in
    the file or in a certificate's AIA or CRL distribution points is never contacted, since a forger
    controls both and could point them at a responder of his own."""

    ocsp_urls: tuple[str, ...] = ()
    """OCSP responders, asked in this order until one gives an answer that verifies."""
    crl_urls: tuple[str, ...] = ()
    """CRLs, fetched in this order when no responder gave an answer that verifies, until one is
    believed; with `ocsp_urls` empty too: no online check."""
    timeout: float = 3.0
    """Seconds to wait for one responder or CRL (connect and read)."""


def _strings(value: object, where: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TrustConfigError(f"{where}: expected a list of strings")
    return frozenset(v.lower() if "sha256" in where else v for v in value)


def load_trust_settings(path: Path) -> TrustSettings:
    """Read the trust settings file.

    Raises TrustConfigError naming the file and key when it is missing or malformed.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise TrustConfigError(f"{path}: trust settings not found; run `titlecert init`") from e
    except json.JSONDecodeError as e:
        raise TrustConfigError(f"{path}: not valid JSON ({e})") from e
    if not isinstance(raw, dict) or set(raw) - {"anchors", "roles"}:
        raise TrustConfigError(f"{path}: expected an object with keys 'anchors' and 'roles'")
    anchors: list[x509.Certificate] = []
    for rel in raw.get("anchors", []):
        anchor_path = path.parent / rel
        try:
            anchors.extend(load_certificates(anchor_path.read_bytes()))
        except (OSError, ValueError) as e:
            raise TrustConfigError(f"{path}: anchor {anchor_path} unreadable ({e})") from e
    if not anchors:
        raise TrustConfigError(f"{path}: 'anchors' must name at least one certificate file")
    roles: dict[Role, RolePolicy] = {}
    for name, spec in raw.get("roles", {}).items():
        try:
            role = Role(name)
        except ValueError as e:
            raise TrustConfigError(
                f"{path}: unknown role {name!r}; expected one of {', '.join(r.value for r in Role)}"
            ) from e
        allowed = {"issuer_sha256", "policy_oids", "signer_sha256", "eku_oids"}
        if not isinstance(spec, dict) or set(spec) - allowed:
            raise TrustConfigError(f"{path}: roles.{name} accepts only {sorted(allowed)}")
        policy = RolePolicy(
            issuer_sha256=_strings(spec.get("issuer_sha256", []), f"roles.{name}.issuer_sha256"),
            policy_oids=_strings(spec.get("policy_oids", []), f"roles.{name}.policy_oids"),
            signer_sha256=_strings(spec.get("signer_sha256", []), f"roles.{name}.signer_sha256"),
            eku_oids=_strings(spec.get("eku_oids", []), f"roles.{name}.eku_oids"),
        )
        if not policy.policy_oids and not policy.signer_sha256 and not policy.eku_oids:
            raise TrustConfigError(f"{path}: roles.{name} needs policy_oids, eku_oids or signer_sha256")
        roles[role] = policy
    return TrustSettings(tuple(anchors), roles)


def write_trust_settings(
    path: Path,
    *,
    anchor_files: Iterable[Path],
    roles: dict[Role, RolePolicy],
) -> None:
    """Write a trust settings file; anchor paths are stored relative to its folder."""
    doc = {
        "anchors": [
            str(Path(p).resolve().relative_to(path.parent.resolve()))
            if Path(p).resolve().is_relative_to(path.parent.resolve())
            else str(p)
            for p in anchor_files
        ],
        "roles": {
            role.value: {
                "issuer_sha256": sorted(p.issuer_sha256),
                "policy_oids": sorted(p.policy_oids),
                "signer_sha256": sorted(p.signer_sha256),
                "eku_oids": sorted(p.eku_oids),
            }
            for role, p in roles.items()
        },
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
