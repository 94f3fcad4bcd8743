"""`titlecert init`: the instance folder, the registry schema, keys and trust settings."""

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509

from registry.db import Registry
from signing.devpki import DEMO_NAMES, create_demo_pki
from signing.devtoken import create_demo_pki_on_token
from signing.errors import KeyLoadError
from signing.fonts import find_seal_font
from signing.keys import load_pkcs12_signer
from signing.roles import ISSUING_ROLES, ROLE_POLICY_OIDS, Role
from signing.sealimage import draw_seal
from signing.tokens import PROCESS_TOKENS, TokenKeyRef, token_certificates
from signing.trust import (
    RolePolicy,
    TrustSettings,
    load_certificates,
    load_trust_settings,
    sha256_fingerprint,
    write_trust_settings,
)
from titlecert.committees import demo_rows, register
from titlecert.configured_store import check_store
from titlecert.home import load_keys
from titlecert.settings import Settings
from titlecert.settings.keys import TokenConfig

DEMO_PIN_FILE = "token.pin"
"""The DEMO token's user PIN, kept in pki/ (mode 0600) like the demo's PKCS#12 passphrases."""


@dataclass(frozen=True)
class InitReport:
    """What `init` found or created."""

    home: Path
    database: str
    keys: str
    """"demo" (generated DEMO PKI), "configured" (operator PKCS#12 files or token keys), either
    followed by " (PKCS#11 token 'LABEL')" for keys on a token, or "existing"."""
    store: str = ""
    """The document store, checked: "folder PATH" or "s3://BUCKET/PREFIX at ENDPOINT"."""


def init_instance(settings: Settings) -> InitReport:
    """Create what is missing; leave what exists; check the document store last. Raises the
    packages' errors with their messages (StoreError when the store cannot be used)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    if not settings.secret_file.exists():
        settings.secret_file.touch(mode=0o600)
        settings.secret_file.write_text(secrets.token_hex(32))
    registry = Registry(settings.database_url)
    try:
        registry.migrate()
    finally:
        registry.dispose()
    token = settings.token
    on_token = f" (PKCS#11 token {token.token_label!r})" if token else ""
    if settings.configured_keys:
        _write_configured_keys(settings)
        keys = "configured"
    elif token is not None and token.key_labels:
        _write_token_keys(settings, token)
        keys = "configured" + on_token
    elif settings.keys_file.exists():
        if token is not None:
            _check_keys_on(settings, token)
        keys = "existing"
    elif token is not None:
        _write_demo_token_keys(settings, token)
        keys = "demo" + on_token
    else:
        _write_demo_keys(settings)
        keys = "demo"
    if keys.startswith("demo"):
        _register_demo_committee(settings)
    return InitReport(settings.home, registry.safe_url, keys, check_store(settings))


def _register_demo_committee(settings: Settings) -> None:
    """The DEMO committee's mandate and seal certificate in the registry, so the sample session
    passes the mandate check and its seals are judged against it (docs/committees.md)."""
    cert = load_keys(settings)[Role.COMMITTEE].signer_cert
    mandate, seal = demo_rows(DEMO_NAMES[Role.COMMITTEE].removesuffix("（演示）"), cert)
    registry = Registry(settings.database_url)
    try:
        with registry.transaction() as ledger:
            register(ledger, [mandate], [seal])
    finally:
        registry.dispose()


def _write_demo_keys(settings: Settings) -> None:
    pki = create_demo_pki(settings.pki_dir, services_url=settings.pki_url)
    font = find_seal_font(settings.seal_font)
    keys = {}
    for role, signer in pki.signers.items():
        keys[role.value] = {
            "pkcs12": f"pki/{signer.pkcs12_path.name}",
            "passphrase_file": f"pki/{signer.passphrase_path.name}",
            "seal_name": signer.display_name,
            "seal_image": _demo_seal(settings, role, signer.display_name, font),
        }
    _write_demo_trust(settings, pki.root_cert_path)
    _write_keys_file(settings, keys)


def _write_demo_token_keys(settings: Settings, token: TokenConfig) -> None:
    """The DEMO PKI with the role keys generated inside the token."""
    pins = set(settings.pkcs11_pins.values())
    if len(pins) != 1:
        raise KeyLoadError(
            f"give the user PIN of token {token.token_label!r} in TITLECERT_PKCS11_PIN"
            + (" (one PIN: the roles' keys share the token)" if pins else "")
        )
    pin = pins.pop()
    pki, made = create_demo_pki_on_token(
        settings.pki_dir,
        PROCESS_TOKENS,
        module=token.module,
        token_label=token.token_label,
        pin=pin,
        services_url=settings.pki_url,
    )
    pin_file = settings.pki_dir / DEMO_PIN_FILE
    pin_file.touch(mode=0o600)
    pin_file.write_text(pin + "\n", encoding="utf-8")
    font = find_seal_font(settings.seal_font)
    keys = {
        role.value: {
            "pkcs11": {**_token_entry(key.ref), "pin_file": f"pki/{DEMO_PIN_FILE}"},
            "chain": f"pki/{pki.root_cert_path.name}",
            "seal_name": DEMO_NAMES[role],
            "seal_image": _demo_seal(settings, role, DEMO_NAMES[role], font),
        }
        for role, key in made.items()
    }
    _write_demo_trust(settings, pki.root_cert_path)
    _write_keys_file(settings, keys)
    load_keys(settings)


def _demo_seal(settings: Settings, role: Role, display_name: str, font: Path) -> str:
    image = settings.pki_dir / f"{role.value}-seal.png"
    image.write_bytes(draw_seal(display_name.replace("（演示）", ""), font_path=font))
    return f"pki/{image.name}"


def _write_demo_trust(settings: Settings, root_cert_path: Path) -> None:
    root = load_certificates(root_cert_path.read_bytes())[0]
    roles = {
        role: RolePolicy(
            issuer_sha256=frozenset({sha256_fingerprint(root)}),
            policy_oids=frozenset({ROLE_POLICY_OIDS[role]}),
        )
        for role in Role
    }
    write_trust_settings(settings.trust_file, anchor_files=[root_cert_path], roles=roles)


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
    missing = [r.value for r in ISSUING_ROLES if r.value not in settings.configured_keys]
    if missing:
        raise KeyLoadError(
            "configure a PKCS#12 file for the committee and the authority; missing: "
            + ", ".join(f"TITLECERT_{m.upper()}_PKCS12" for m in missing)
        )
    found: dict[Role, _Found] = {}
    for role in _configured(settings.configured_keys):
        conf = settings.configured_keys[role.value]
        signer = load_pkcs12_signer(conf.pkcs12, conf.passphrase)
        cert = signer.signing_cert
        if cert is None:
            raise KeyLoadError(f"{conf.pkcs12}: the PKCS#12 file holds no certificate")
        found[role] = _Found({"pkcs12": str(conf.pkcs12)}, cert, list(signer.cert_registry), conf.seal_name)
    _write_operator_settings(settings, found)


def _write_token_keys(settings: Settings, token: TokenConfig) -> None:
    """The operator's keys and certificates already on the token, found by their labels."""
    try:
        extra = load_certificates(settings.trust_anchors.read_bytes()) if settings.trust_anchors else []
    except (OSError, ValueError) as e:
        raise KeyLoadError(f"{settings.trust_anchors}: cannot read the trust anchors ({e})") from e
    found: dict[Role, _Found] = {}
    for role in _configured(token.key_labels):
        pin = settings.pkcs11_pins.get(role.value)
        if pin is None:
            raise KeyLoadError(
                f"give the user PIN of token {token.token_label!r} in TITLECERT_PKCS11_PIN "
                f"(or TITLECERT_{role.value.upper()}_PKCS11_PIN)"
            )
        key_label = token.key_labels[role.value]
        ref = TokenKeyRef(
            token.module, token.token_label, key_label, token.cert_labels.get(role.value, key_label)
        )
        cert = PROCESS_TOKENS.signer(ref, pin).signing_cert
        others = token_certificates(PROCESS_TOKENS.session(token.module, token.token_label, pin)) + extra
        chain = _chain_of(cert, others)
        entry: dict[str, object] = {"pkcs11": _token_entry(ref)}
        if chain:
            path = settings.pki_dir / f"{role.value}-chain.pem"
            settings.pki_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(TrustSettings(tuple(chain)).anchors_pem())
            entry["chain"] = f"pki/{path.name}"
        found[role] = _Found(entry, cert, others, settings.seal_names.get(role.value))
    _write_operator_settings(settings, found)


def _configured(by_role: Mapping[str, object]) -> tuple[Role, ...]:
    """The issuing roles, and the verification service's when the operator configured its key too
    (without it the site offers no verification reports)."""
    return (*ISSUING_ROLES, *((Role.VERIFIER,) if Role.VERIFIER.value in by_role else ()))


@dataclass(frozen=True)
class _Found:
    """An operator's key for one role, as `init` found it."""

    entry: dict[str, object]
    """Its keys.json entry, without the seal."""
    cert: x509.Certificate
    others: list[x509.Certificate]
    """Certificates found with it (the PKCS#12 chain; the token's certificates and the anchors)."""
    seal_name: str | None


def _write_operator_settings(settings: Settings, found: dict[Role, _Found]) -> None:
    settings.pki_dir.mkdir(parents=True, exist_ok=True)
    font = find_seal_font(settings.seal_font)
    keys: dict[str, Mapping[str, object]] = {}
    roles: dict[Role, RolePolicy] = {}
    anchors: list[x509.Certificate] = []
    for role, f in found.items():
        name = f.seal_name or f.cert.subject.native.get("common_name", role.value)
        image = settings.pki_dir / f"{role.value}-seal.png"
        image.write_bytes(draw_seal(name, font_path=font, centre_text=""))
        keys[role.value] = {**f.entry, "seal_name": name, "seal_image": f"pki/{image.name}"}
        roles[role] = RolePolicy(
            issuer_sha256=frozenset(sha256_fingerprint(c) for c in f.others if c.subject == f.cert.issuer),
            signer_sha256=frozenset({sha256_fingerprint(f.cert)}),
        )
        anchors.extend(c for c in f.others if c.subject == c.issuer)
    # Rotation: a new key configured for a role adds to what was trusted, so documents sealed with
    # the earlier keys keep verifying. A DEMO PKI's trust is never carried into configured keys.
    demo_before = (settings.pki_dir / "root-ca.pem").exists()
    earlier = (
        load_trust_settings(settings.trust_file) if settings.trust_file.exists() and not demo_before else None
    )
    if earlier is not None:
        anchors.extend(earlier.anchors)
        roles = {role: _union(policy, earlier.roles.get(role)) for role, policy in roles.items()}
    if not settings.trust_anchors and not anchors:
        raise KeyLoadError(
            "no root certificate came with the keys; give the trust anchors in TITLECERT_TRUST_ANCHORS"
        )
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
    _write_keys_file(settings, keys)
    load_keys(settings)


def _chain_of(cert: x509.Certificate, pool: list[x509.Certificate]) -> list[x509.Certificate]:
    """The issuing CAs of `cert` found in `pool`, issuer first, up to a self-signed root."""
    chain: list[x509.Certificate] = []
    current = cert
    while current.subject != current.issuer:
        issuer = next((c for c in pool if c.subject == current.issuer and c not in chain), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def _token_entry(ref: TokenKeyRef) -> dict[str, str]:
    return {
        "module": str(ref.module),
        "token_label": ref.token_label,
        "key_label": ref.key_label,
        "cert_label": ref.cert_label,
    }


def _check_keys_on(settings: Settings, token: TokenConfig) -> None:
    """Existing keys must be the token's, or `init` with a token would silently do nothing."""
    try:
        raw = json.loads(settings.keys_file.read_text(encoding="utf-8"))
        labels = {raw[r.value]["pkcs11"]["token_label"] for r in ISSUING_ROLES}
    except (ValueError, KeyError, TypeError):
        labels = set()
    if labels != {token.token_label}:
        raise KeyLoadError(
            f"{settings.keys_file} already configures keys that are not on token {token.token_label!r}; "
            "move it (and trust.json) away to make DEMO keys on the token, or name the keys already on "
            "the token (--key-label)"
        )


def _write_keys_file(settings: Settings, keys: Mapping[str, Mapping[str, object]]) -> None:
    settings.keys_file.write_text(json.dumps(keys, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
