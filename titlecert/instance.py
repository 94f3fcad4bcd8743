"""`titlecert init`: the instance folder, the registry schema, keys and trust settings."""

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509

from registry.db import Registry
from signing.devpki import create_demo_pki
from signing.errors import KeyLoadError
from signing.fonts import find_seal_font
from signing.keys import SealKey, load_pkcs12_signer, load_seal_keys
from signing.roles import ROLE_POLICY_OIDS, Role
from signing.sealimage import draw_seal
from signing.trust import (
    RolePolicy,
    TrustSettings,
    load_certificates,
    load_trust_settings,
    sha256_fingerprint,
    write_trust_settings,
)
from titlecert.settings import Settings


@dataclass(frozen=True)
class InitReport:
    """What `init` found or created."""

    home: Path
    database: str
    keys: str
    """"demo" (generated DEMO PKI), "configured" (operator PKCS#12) or "existing"."""


def init_instance(settings: Settings) -> InitReport:
    """Create what is missing; leave what exists. Raises the packages' errors with their messages."""
    settings.home.mkdir(parents=True, exist_ok=True)
    if not settings.secret_file.exists():
        settings.secret_file.touch(mode=0o600)
        settings.secret_file.write_text(secrets.token_hex(32))
    registry = Registry(settings.database_url)
    try:
        registry.migrate()
    finally:
        registry.dispose()
    if settings.configured_keys:
        _write_configured_keys(settings)
        keys = "configured"
    elif settings.keys_file.exists():
        keys = "existing"
    else:
        _write_demo_keys(settings)
        keys = "demo"
    return InitReport(settings.home, registry.safe_url, keys)


def load_trust(settings: Settings) -> TrustSettings:
    """The trust settings verification uses."""
    return load_trust_settings(settings.trust_file)


def load_keys(settings: Settings) -> dict[Role, SealKey]:
    """The sealing keys, with configured passphrases from the settings."""
    return load_seal_keys(settings.keys_file, {r: k.passphrase for r, k in settings.configured_keys.items()})


def _write_demo_keys(settings: Settings) -> None:
    pki = create_demo_pki(settings.pki_dir, services_url=settings.pki_url)
    font = find_seal_font(settings.seal_font)
    keys = {}
    for role, signer in pki.signers.items():
        image = settings.pki_dir / f"{role.value}-seal.png"
        image.write_bytes(draw_seal(signer.display_name.replace("（演示）", ""), font_path=font))
        keys[role.value] = {
            "pkcs12": f"pki/{signer.pkcs12_path.name}",
            "passphrase_file": f"pki/{signer.passphrase_path.name}",
            "seal_name": signer.display_name,
            "seal_image": f"pki/{image.name}",
        }
    root = load_certificates(pki.root_cert_path.read_bytes())[0]
    roles = {
        role: RolePolicy(
            issuer_sha256=frozenset({sha256_fingerprint(root)}),
            policy_oids=frozenset({ROLE_POLICY_OIDS[role]}),
        )
        for role in Role
    }
    write_trust_settings(settings.trust_file, anchor_files=[pki.root_cert_path], roles=roles)
    settings.keys_file.write_text(json.dumps(keys, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _union(policy: RolePolicy, earlier: RolePolicy | None) -> RolePolicy:
    if earlier is None:
        return policy
    return RolePolicy(
        issuer_sha256=policy.issuer_sha256 | earlier.issuer_sha256,
        policy_oids=policy.policy_oids | earlier.policy_oids,
        signer_sha256=policy.signer_sha256 | earlier.signer_sha256,
        eku_oids=policy.eku_oids | earlier.eku_oids,
    )


def _write_configured_keys(settings: Settings) -> None:
    missing = [r.value for r in Role if r.value not in settings.configured_keys]
    if missing:
        raise KeyLoadError(
            "configure a PKCS#12 file for every role; missing: "
            + ", ".join(f"TITLECERT_{m.upper()}_PKCS12" for m in missing)
        )
    settings.pki_dir.mkdir(parents=True, exist_ok=True)
    font = find_seal_font(settings.seal_font)
    keys: dict[str, dict[str, str]] = {}
    roles: dict[Role, RolePolicy] = {}
    anchors: list[x509.Certificate] = []
    for role in Role:
        conf = settings.configured_keys[role.value]
        signer = load_pkcs12_signer(conf.pkcs12, conf.passphrase)
        cert = signer.signing_cert
        if cert is None:
            raise KeyLoadError(f"{conf.pkcs12}: the PKCS#12 file holds no certificate")
        name = conf.seal_name or cert.subject.native.get("common_name", role.value)
        chain = [c for c in signer.cert_registry if c.subject == cert.issuer]
        image = settings.pki_dir / f"{role.value}-seal.png"
        image.write_bytes(draw_seal(name, font_path=font, centre_text=""))
        keys[role.value] = {"pkcs12": str(conf.pkcs12), "seal_name": name, "seal_image": f"pki/{image.name}"}
        roles[role] = RolePolicy(
            issuer_sha256=frozenset(sha256_fingerprint(c) for c in chain),
            signer_sha256=frozenset({sha256_fingerprint(cert)}),
        )
        anchors.extend(c for c in signer.cert_registry if c.subject == c.issuer)
    # Rotation: a new key configured for a role adds to what was trusted, so documents sealed with
    # the earlier keys keep verifying. A DEMO PKI's trust is never carried into configured keys.
    demo_before = (settings.pki_dir / "root-ca.pem").exists()
    earlier = (
        load_trust_settings(settings.trust_file) if settings.trust_file.exists() and not demo_before else None
    )
    if earlier is not None:
        anchors.extend(earlier.anchors)
        roles = {role: _union(policy, earlier.roles.get(role)) for role, policy in roles.items()}
    anchor_files: list[Path] = []
    if settings.trust_anchors:
        anchor_files.append(settings.trust_anchors)
    if not settings.trust_anchors or earlier is not None:
        path = settings.pki_dir / "anchors.pem"
        path.write_text(
            TrustSettings(tuple({sha256_fingerprint(a): a for a in anchors}.values())).anchors_pem()
        )
        anchor_files.append(path)
    write_trust_settings(settings.trust_file, anchor_files=anchor_files, roles=roles)
    settings.keys_file.write_text(json.dumps(keys, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    load_seal_keys(settings.keys_file, {r: k.passphrase for r, k in settings.configured_keys.items()})
