"""The DEMO PKI's lifetimes, delegated OCSP responder and rotation."""

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from signing import devpki
from signing.errors import KeyLoadError
from signing.keys import load_pkcs12_signer


def cert(p12: Path) -> x509.Certificate:
    signer = load_pkcs12_signer(p12, p12.with_suffix(".pass").read_bytes())
    assert signer.signing_cert is not None
    return x509.load_der_x509_certificate(signer.signing_cert.dump())


@pytest.fixture(scope="module")
def pki_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pki")
    devpki.create_demo_pki(directory, services_url="http://127.0.0.1:9")
    return directory


def test_lifetimes_outlast_in_the_order_renewal_needs(pki_dir: Path) -> None:
    def life(name: str) -> dt.timedelta:
        c = cert(pki_dir / f"{name}.p12")
        return c.not_valid_after_utc - c.not_valid_before_utc

    assert life("ocsp") < life("committee") == life("authority") < life("tsa")


def test_the_ocsp_responder_is_delegated_and_exempt_from_checks(pki_dir: Path) -> None:
    responder = cert(pki_dir / "ocsp.p12")
    assert list(responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.OCSP_SIGNING
    ]
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    with pytest.raises(x509.ExtensionNotFound):  # nothing to fetch for the responder itself
        responder.extensions.get_extension_for_class(x509.AuthorityInformationAccess)


def test_rotation_issues_a_new_key_and_keeps_the_old_one(pki_dir: Path) -> None:
    before = cert(pki_dir / "committee.p12")
    new_path = devpki.rotate(pki_dir, "committee", services_url="http://127.0.0.1:9")
    after = cert(new_path)
    assert new_path == pki_dir / "committee.p12"
    assert after.public_key() != before.public_key() and after.subject == before.subject
    assert after.issuer == before.issuer
    retired = list((pki_dir / devpki.RETIRED_DIR).glob("committee-*.p12"))
    assert [cert(p).serial_number for p in retired] == [before.serial_number]
    issued = {p.stem for p in (pki_dir / devpki.ISSUED_DIR).glob("*.pem")}
    assert {f"{before.serial_number:x}", f"{after.serial_number:x}"} <= issued
    with pytest.raises(ValueError, match="cannot rotate 'root'"):
        devpki.rotate(pki_dir, "root", services_url=None)


def test_a_wrong_passphrase_is_a_clear_error(pki_dir: Path) -> None:
    with pytest.raises(
        KeyLoadError, match=r"tsa\.p12: not a PKCS#12 file with a key, or the passphrase is wrong"
    ):
        load_pkcs12_signer(pki_dir / "tsa.p12", b"wrong")
