"""The DEMO PKI's time-stamping, OCSP and CRL services, over real HTTP on loopback."""

import asyncio
import datetime as dt
import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

from signing.keys import load_pkcs12_signer
from tests.conftest import (
    Instance,
    as_another_session,
    free_port,
    make_instance,
    sample_session_doc,
    serve_pki,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """Its own instance (revocations here must not touch the shared one), with `pki serve` running."""
    inst = make_instance(tmp_path_factory.mktemp("pki") / "home")
    inst.run("init")
    with serve_pki(inst):
        yield inst


def cert_of(inst: Instance, holder: str) -> x509.Certificate:
    p12 = inst.home / "pki" / f"{holder}.p12"
    signer = load_pkcs12_signer(p12, p12.with_suffix(".pass").read_bytes().strip())
    assert signer.signing_cert is not None
    return x509.load_der_x509_certificate(signer.signing_cert.dump())


def root_of(inst: Instance) -> x509.Certificate:
    return x509.load_pem_x509_certificate((inst.home / "pki" / "root-ca.pem").read_bytes())


def ocsp_status(inst: Instance, cert: x509.Certificate) -> ocsp.OCSPResponse:
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, root_of(inst), hashes.SHA256()).build()
    r = requests.post(
        f"{inst.pki_url}/ocsp",
        data=request.public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
        timeout=10,
    )
    assert r.headers["Content-Type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(r.content)


@pytest.mark.parametrize("certid_hash", [None, "-sha256"], ids=["openssl-default-sha1", "sha256"])
def test_openssl_ocsp_client_gets_a_verified_good_answer(
    pki: Instance, tmp_path: Path, certid_hash: str | None
) -> None:
    """OpenSSL (like NSS) asks with a SHA-1 CertID by default and must find its answer (runs before
    this module's revocations)."""
    committee = tmp_path / "committee.pem"
    committee.write_bytes(cert_of(pki, "committee").public_bytes(serialization.Encoding.PEM))
    root = str(pki.home / "pki" / "root-ca.pem")
    proc = subprocess.run(
        [
            "openssl",
            "ocsp",
            *([certid_hash] if certid_hash else []),
            "-issuer",
            root,
            "-cert",
            str(committee),
            "-url",
            f"{pki.pki_url}/ocsp",
            "-CAfile",
            root,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{committee}: good" in proc.stdout
    assert "Response verify OK" in proc.stderr
    assert "WARNING" not in proc.stderr  # e.g. "no nonce in response"


def test_time_stamps_are_genuine_rfc3161_tokens(pki: Instance) -> None:
    digest = hashlib.sha256(b"a sealed document").digest()

    async def stamp() -> Any:
        async with aiohttp.ClientSession() as session:
            stamper = HTTPTimeStamper(f"{pki.pki_url}/tsa", session=session)
            token = await stamper.async_timestamp(digest, "sha256")
        await asyncio.sleep(0.1)  # let aiohttp close its connections before the loop ends
        return token

    token = asyncio.run(stamp())
    signed = token["content"]
    info = signed["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert abs((info["gen_time"].native - dt.datetime.now(dt.UTC)).total_seconds()) < 60
    tsa = cert_of(pki, "tsa")
    embedded = {c.chosen.dump() for c in signed["certificates"]}
    assert tsa.public_bytes(serialization.Encoding.DER) in embedded
    eku = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [x509.oid.ExtendedKeyUsageOID.TIME_STAMPING]


def test_ocsp_and_crl_follow_revocation(pki: Instance) -> None:
    authority = cert_of(pki, "authority")
    good = ocsp_status(pki, authority)
    assert (
        good.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
        and good.certificate_status is ocsp.OCSPCertStatus.GOOD
    )
    # Signed by a delegated responder (OCSPSigning, no-check) that the CA issued and the answer carries.
    (responder,) = good.certificates
    root = root_of(pki)
    key = root.public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(responder.signature, responder.tbs_certificate_bytes, PKCS1v15(), hashes.SHA256())
    assert list(responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        x509.oid.ExtendedKeyUsageOID.OCSP_SIGNING
    ]
    assert responder.extensions.get_extension_for_class(x509.OCSPNoCheck)
    responder_key = responder.public_key()
    assert isinstance(responder_key, rsa.RSAPublicKey)
    responder_key.verify(good.signature, good.tbs_response_bytes, PKCS1v15(), hashes.SHA256())

    pki.run("pki", "revoke", "authority", "--reason", "key_compromise")
    revoked = ocsp_status(pki, authority)
    assert revoked.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_reason is x509.ReasonFlags.key_compromise
    crl = x509.load_der_x509_crl(requests.get(f"{pki.pki_url}/crl", timeout=10).content)
    assert crl.is_signature_valid(key)
    assert crl.get_revoked_certificate_by_serial_number(authority.serial_number) is not None
    assert ocsp_status(pki, cert_of(pki, "committee")).certificate_status is ocsp.OCSPCertStatus.GOOD


def test_pyhanko_fetches_revocation_from_the_certificates_own_urls(pki: Instance) -> None:
    root = asn1_x509.Certificate.load(root_of(pki).public_bytes(serialization.Encoding.DER))

    def validate(holder: str) -> None:
        cert = asn1_x509.Certificate.load(cert_of(pki, holder).public_bytes(serialization.Encoding.DER))

        async def run() -> None:
            async with aiohttp.ClientSession() as session:
                backend = AIOHttpFetcherBackend(session)
                context = ValidationContext(
                    trust_roots=[root],
                    allow_fetching=True,
                    revocation_mode="hard-fail",
                    fetcher_backend=backend,
                )
                try:
                    await CertificateValidator(cert, validation_context=context).async_validate_usage(
                        {"non_repudiation"}
                    )
                finally:
                    await asyncio.sleep(0.1)  # let aiohttp close its connections before the loop ends

        asyncio.run(run())

    validate("committee")  # reaches /ocsp through the AIA extension the demo PKI wrote
    pki.run("pki", "revoke", "committee")
    with pytest.raises(RevokedError):
        validate("committee")


def one_applicant_session(tmp_path: Path, document_no: str) -> Path:
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]
    as_another_session(doc, document_no)  # and an applicant of its own: one application a year
    path = tmp_path / "one.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def with_env(inst: Instance, **env: str) -> Instance:
    return Instance(inst.home, {**inst.env, **env}, inst.public_url, inst.pki_url)


def test_b_t_seals_carry_trusted_time_stamps(pki: Instance, tmp_path: Path) -> None:
    bt = with_env(pki, TITLECERT_SIGNATURE_LEVEL="B-T")
    session = one_applicant_session(tmp_path, "渝职改办〔2026〕31号")
    result = json.loads(bt.run("issue", str(session), "--out", str(tmp_path / "out"), "--json").stdout)
    [certificate] = [d for d in result["documents"] if d["kind"] == "certificate"]
    [report] = json.loads(bt.run("verify", "--json", certificate["path"]).stdout)
    assert report["verdict"] == "valid"
    for seal in report["signatures"]:
        proven = dt.datetime.fromisoformat(seal["timestamp"])
        assert abs((proven - dt.datetime.now(dt.UTC)).total_seconds()) < 600


def test_tsa_down_is_a_clear_error_naming_the_url_and_nothing_is_issued(
    pki: Instance, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    bt = with_env(pki, TITLECERT_SIGNATURE_LEVEL="B-T", TITLECERT_TSA_URL=dead)
    with sqlite3.connect(pki.home / "registry.sqlite3") as db:
        before = db.execute("select count(*), (select count(*) from issue_jobs) from certificates").fetchone()
    out = tmp_path / "out"
    proc = bt.run(
        "issue", str(one_applicant_session(tmp_path, "渝职改办〔2026〕32号")), "--out", str(out), check=False
    )
    assert proc.returncode == 1
    assert f"the time-stamping authority at {dead} does not answer: check that it runs" in proc.stderr
    assert "nothing was issued" in proc.stderr
    with sqlite3.connect(pki.home / "registry.sqlite3") as db:
        assert (
            db.execute("select count(*), (select count(*) from issue_jobs) from certificates").fetchone()
            == before
        )
    assert not out.exists()  # asked before the job: not even the unsealed documents are written


def test_an_unknown_signature_level_is_refused(pki: Instance) -> None:
    proc = with_env(pki, TITLECERT_SIGNATURE_LEVEL="B-X").run("trust", "--pem", check=False)
    assert proc.returncode == 2 and "TITLECERT_SIGNATURE_LEVEL must be one of B-B, B-T" in proc.stderr
