"""The DEMO OCSP responder answers in the question's terms: its CertID's hash algorithm, its nonce."""

import datetime as dt
import os
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp

from signing import devpki
from signing.keys import load_pkcs12_signer
from signing.services import PkiServices

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SHA1 = hashes.SHA1()  # noqa: S303 - what NSS and OpenSSL ask OCSP with (an identifier, not a security hash)
CERTID_HASHES = [SHA1, hashes.SHA224(), hashes.SHA256(), hashes.SHA384(), hashes.SHA512()]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> PkiServices:
    """A DEMO PKI whose authority certificate is revoked (the committee's stays good)."""
    directory = tmp_path_factory.mktemp("pki")
    devpki.create_demo_pki(directory, services_url="http://127.0.0.1:9", now=NOW - dt.timedelta(days=1))
    svc = PkiServices(directory, services_url="http://127.0.0.1:9")
    svc.revoke(
        cert(directory, "authority").serial_number,
        at=NOW - dt.timedelta(hours=1),
        reason=x509.ReasonFlags.key_compromise,
    )
    return svc


def cert(directory: Path, holder: str) -> x509.Certificate:
    p12 = directory / f"{holder}.p12"
    signer = load_pkcs12_signer(p12, p12.with_suffix(".pass").read_bytes().strip())
    assert signer.signing_cert is not None
    return x509.load_der_x509_certificate(signer.signing_cert.dump())


def ask(services: PkiServices, request: ocsp.OCSPRequest) -> ocsp.OCSPResponse:
    answer = ocsp.load_der_ocsp_response(
        services.ocsp(request.public_bytes(serialization.Encoding.DER), now=NOW)
    )
    assert answer.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    # Signed by the delegated responder it names.
    key = answer.certificates[0].public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(answer.signature, answer.tbs_response_bytes, PKCS1v15(), hashes.SHA256())
    return answer


def assert_same_certid(answer: ocsp.OCSPResponse, request: ocsp.OCSPRequest) -> None:
    """The match a client makes between its question and the answer (RFC 6960 §4.2.2.3)."""
    assert type(answer.hash_algorithm) is type(request.hash_algorithm)
    assert answer.issuer_name_hash == request.issuer_name_hash
    assert answer.issuer_key_hash == request.issuer_key_hash
    assert answer.serial_number == request.serial_number


@pytest.mark.parametrize("algorithm", CERTID_HASHES, ids=lambda a: a.name)
@pytest.mark.parametrize(
    ("holder", "status"),
    [("committee", ocsp.OCSPCertStatus.GOOD), ("authority", ocsp.OCSPCertStatus.REVOKED)],
)
def test_a_known_certificate_is_answered_in_the_requests_hash_algorithm(
    services: PkiServices, holder: str, status: ocsp.OCSPCertStatus, algorithm: hashes.HashAlgorithm
) -> None:
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert(services.directory, holder), services.ca_cert, algorithm)
        .build()
    )
    answer = ask(services, request)
    assert_same_certid(answer, request)
    assert answer.certificate_status is status


@pytest.mark.parametrize("algorithm", CERTID_HASHES, ids=lambda a: a.name)
def test_an_unknown_certificate_is_answered_in_the_requests_hash_algorithm(
    services: PkiServices, algorithm: hashes.HashAlgorithm
) -> None:
    probe = ocsp.OCSPRequestBuilder().add_certificate(services.ca_cert, services.ca_cert, algorithm).build()
    never_issued = max(services.issued) + 1
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(probe.issuer_name_hash, probe.issuer_key_hash, never_issued, algorithm)
        .build()
    )
    answer = ask(services, request)
    assert_same_certid(answer, request)
    assert answer.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


def test_another_cas_certificate_with_one_of_our_serials_is_unknown(services: PkiServices) -> None:
    committee = cert(services.directory, "committee")
    algorithm = SHA1
    other_name_hash = hashes.Hash(algorithm)
    other_name_hash.update(b"another CA")
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            other_name_hash.finalize(), os.urandom(20), committee.serial_number, algorithm
        )
        .build()
    )
    answer = ask(services, request)
    assert_same_certid(answer, request)
    assert answer.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


def test_the_requests_nonce_is_echoed(services: PkiServices) -> None:
    nonce = os.urandom(16)
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate(cert(services.directory, "committee"), services.ca_cert, SHA1)
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .build()
    )
    answer = ask(services, request)
    assert answer.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == nonce


def test_a_request_that_is_not_ocsp_is_malformed(services: PkiServices) -> None:
    answer = ocsp.load_der_ocsp_response(services.ocsp(b"not an OCSP request", now=NOW))
    assert answer.response_status is ocsp.OCSPResponseStatus.MALFORMED_REQUEST
