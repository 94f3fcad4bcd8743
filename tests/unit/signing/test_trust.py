import json
from pathlib import Path

import pytest

from signing.devpki import DemoPki, create_demo_pki
from signing.errors import TrustConfigError
from signing.keys import load_pkcs12_signer
from signing.roles import ROLE_POLICY_OIDS, Role
from signing.trust import RolePolicy, load_certificates, load_trust_settings, sha256_fingerprint


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPki:
    return create_demo_pki(tmp_path_factory.mktemp("pki"))


def cert_of(pki: DemoPki, role: Role):  # type: ignore[no-untyped-def]
    signer = pki.signers[role]
    return load_pkcs12_signer(signer.pkcs12_path, signer.passphrase_path.read_bytes()).signing_cert


def test_role_is_recognised_by_policy_oid_and_issuer(pki: DemoPki) -> None:
    root = load_certificates(pki.root_cert_path.read_bytes())[0]
    committee = RolePolicy(
        frozenset({sha256_fingerprint(root)}), frozenset({ROLE_POLICY_OIDS[Role.COMMITTEE]})
    )
    assert committee.matches(cert_of(pki, Role.COMMITTEE), root)
    assert not committee.matches(cert_of(pki, Role.AUTHORITY), root)


def test_role_needs_the_named_issuer(pki: DemoPki, tmp_path: Path) -> None:
    other_root = load_certificates(create_demo_pki(tmp_path, label="OTHER").root_cert_path.read_bytes())[0]
    root = load_certificates(pki.root_cert_path.read_bytes())[0]
    policy = RolePolicy(
        frozenset({sha256_fingerprint(other_root)}), frozenset({ROLE_POLICY_OIDS[Role.COMMITTEE]})
    )
    assert not policy.matches(cert_of(pki, Role.COMMITTEE), root)


def test_role_by_pinned_fingerprint(pki: DemoPki) -> None:
    cert = cert_of(pki, Role.AUTHORITY)
    assert RolePolicy(signer_sha256=frozenset({sha256_fingerprint(cert)})).matches(cert, None)


def test_role_by_extended_key_usage(pki: DemoPki, tmp_path: Path) -> None:
    time_stamping = "1.3.6.1.5.5.7.3.8"  # the demo TSA's certificate carries it, the seal ones do not
    tsa = load_pkcs12_signer(pki.tsa_pkcs12_path, pki.tsa_passphrase_path.read_bytes()).signing_cert
    policy = RolePolicy(eku_oids=frozenset({time_stamping}))
    assert policy.matches(tsa, None) and not policy.matches(cert_of(pki, Role.COMMITTEE), None)
    path = tmp_path / "trust.json"
    path.write_text(
        json.dumps(
            {"anchors": [str(pki.root_cert_path)], "roles": {"committee": {"eku_oids": [time_stamping]}}}
        )
    )
    assert load_trust_settings(path).roles[Role.COMMITTEE].eku_oids == {time_stamping}


def test_signing_certificates_carry_demo_names_and_non_repudiation(pki: DemoPki) -> None:
    cert = cert_of(pki, Role.COMMITTEE)
    assert "DEMO" in cert.subject.human_friendly
    assert {"digital_signature", "non_repudiation"} <= set(cert.key_usage_value.native)


def test_trust_file_errors_name_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    with pytest.raises(TrustConfigError, match=r"trust.json: trust settings not found; run `titlecert init`"):
        load_trust_settings(path)
    path.write_text(json.dumps({"anchors": [], "roles": {}}))
    with pytest.raises(TrustConfigError, match=r"'anchors' must name at least one certificate file"):
        load_trust_settings(path)
    path.write_text(json.dumps({"anchors": [], "roles": {}, "extra": 1}))
    with pytest.raises(TrustConfigError, match=r"expected an object with keys 'anchors' and 'roles'"):
        load_trust_settings(path)


def test_cached_key_signer_parses_the_key_once_and_signs_correctly(pki: DemoPki) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.x509 import load_der_x509_certificate

    from signing.keys import CachedKeySigner

    signer = load_pkcs12_signer(
        pki.signers[Role.COMMITTEE].pkcs12_path, pki.signers[Role.COMMITTEE].passphrase_path.read_bytes()
    )
    assert isinstance(signer, CachedKeySigner)
    first = signer.sign_raw(b"document digest 1", "sha256")
    parsed = signer._parsed
    second = signer.sign_raw(b"document digest 2", "sha256")
    assert parsed is not None and signer._parsed is parsed
    public = load_der_x509_certificate(signer.signing_cert.dump()).public_key()
    public.verify(first, b"document digest 1", PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    public.verify(second, b"document digest 2", PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
