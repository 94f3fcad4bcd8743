"""The raw operations a seal is built from, timed alone: an RSA signature, a hash, a time-stamp
request, an OCSP request, pyHanko's own signing of a blank page."""

import asyncio
import hashlib
import http.client
import secrets
import ssl
from collections.abc import Callable
from urllib.parse import urlsplit

import certifi
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from harness import timed
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from signing.roles import Role
from signing.services import PkiServices
from titlecert.sealing import Sealing
from titlecert.settings import Settings


def tsa_request(digest: bytes) -> bytes:
    return bytes(
        tsp.TimeStampReq(
            {
                "version": "v1",
                "nonce": secrets.randbits(63),
                "cert_req": True,
                "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
            }
        ).dump()
    )


def post(url: str, body: bytes, content_type: str) -> bytes:
    """One request on a new connection, as pyHanko makes them (a session per request)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        conn.request("POST", parts.path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
        return data
    finally:
        conn.close()


def raw_rows(
    settings: Settings, sealing: Sealing, sealed: bytes, rounds: int
) -> list[tuple[str, list[float]]]:
    committee = sealing.keys[Role.COMMITTEE].signer
    key_der = committee.signing_key.dump()
    key = serialization.load_der_private_key(key_der, password=None)
    digest = hashlib.sha256(sealed).digest()
    services = PkiServices(settings.pki_dir, services_url=settings.pki_url)  # as `pki serve`, in process
    services.timestamp(tsa_request(digest))  # the running service has parsed its TSA key already
    ca = services.ca_cert
    leaf = x509.load_der_x509_certificate(sealing.keys[Role.COMMITTEE].signer_cert.dump())
    ocsp_req = ocsp.OCSPRequestBuilder().add_certificate(leaf, ca, hashes.SHA256()).build()
    ocsp_der = ocsp_req.public_bytes(serialization.Encoding.DER)
    tsa_url, ocsp_url = settings.tsa_url, f"{settings.pki_url}/ocsp"

    def tsa_round_trip() -> None:
        answer = tsp.TimeStampResp.load(post(tsa_url, tsa_request(digest), "application/timestamp-query"))
        if answer["status"]["status"].native != "granted":
            raise RuntimeError(f"{tsa_url}: no time stamp granted")

    def ocsp_round_trip() -> None:
        answer = ocsp.load_der_ocsp_response(post(ocsp_url, ocsp_der, "application/ocsp-request"))
        if answer.certificate_status is not ocsp.OCSPCertStatus.GOOD:
            raise RuntimeError(f"{ocsp_url}: the committee's certificate is not good")

    pyhanko_stamper = HTTPTimeStamper(tsa_url)
    tsa = services.timestamper
    as_is = DummyTimeStamper(tsa_cert=tsa.tsa_cert, tsa_key=tsa.tsa_key, certs_to_embed=tsa.certs_to_embed)
    many, few = rounds * 4, max(rounds, 10)
    rows: list[tuple[str, list[float]]] = []

    def add(name: str, fn: Callable[[], object], samples: int) -> None:
        rows.append((name, timed(fn, samples)))

    add("RSA-3072 signature (cryptography), one", lambda: key.sign(digest, PKCS1v15(), hashes.SHA256()), many)
    add(
        "RSA-3072 private-key parse (pyHanko's SimpleSigner and DummyTimeStamper repeat it per signature)",
        lambda: serialization.load_der_private_key(key_der, password=None),
        few,
    )
    add(
        f"SHA-256 of the sealed B-LTA certificate ({len(sealed) / 1024:.0f} KB)",
        lambda: hashlib.sha256(sealed).digest(),
        many,
    )
    add("TSA round trip: raw RFC 3161 request/response over HTTP, new connection", tsa_round_trip, few)
    add(
        "TSA, server side: one token (`PkiServices.timestamp`, in process)",
        lambda: services.timestamp(tsa_request(digest)),
        few,
    )
    add(
        "TSA, server side, pyHanko's `DummyTimeStamper` as it is (parses its key per token)",
        lambda: as_is.request_tsa_response(tsp.TimeStampReq.load(tsa_request(digest))),
        few,
    )
    add(
        "TSA round trip through pyHanko's `HTTPTimeStamper` (`asyncio.run`, a session per request)",
        lambda: asyncio.run(pyhanko_stamper.async_timestamp(digest, "sha256")),
        few,
    )
    add("OCSP round trip: raw request/response over HTTP, new connection", ocsp_round_trip, many)
    add(
        "OCSP, server side: one response (`PkiServices.ocsp`, in process)",
        lambda: services.ocsp(ocsp_der),
        many,
    )
    add(
        "TLS context from certifi's CA bundle (pyHanko's fetchers build one per HTTP session)",
        lambda: ssl.create_default_context(cafile=certifi.where()),
        few,
    )
    return rows


# ---------------------------------------------------------------- keys on a PKCS#11 token
