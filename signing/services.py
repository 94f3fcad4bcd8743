"""The DEMO PKI's online services: an RFC 3161 time-stamping authority, an OCSP responder and a
CRL, answered from the files `create_demo_pki` wrote and served over real HTTP on loopback by
`titlecert pki serve`, or from a background thread while `titlecert demo` runs (a real protocol
peer for signing and validation tests, not a mock).

OCSP answers are signed by a delegated responder certificate (OCSPSigning, no-check), as public
CAs do: a validator looking for proof that a CA-signed answer's signer was not revoked would find
none, and long-term (past) validation then fails. The responder certificate is renewed here when it
nears its end, and the TSA and responder identities are re-read when `titlecert pki rotate`
replaces them, so a running service follows rotation.

A real office points TITLECERT settings at its CA's and TSA's own services instead.
"""

import asyncio
import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509 import ocsp
from pyhanko.sign.general import as_signing_certificate
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from signing import devpki
from signing.errors import SigningError
from signing.keys import load_pkcs12_signer

REVOKED_FILE = "revoked.json"
UPDATE_INTERVAL = dt.timedelta(days=7)
RESPONDER_RENEWAL = dt.timedelta(days=30)


# The CertID hash algorithms cryptography's OCSP builder can answer in.
_CERTID_HASHES = (hashes.SHA1, hashes.SHA224, hashes.SHA256, hashes.SHA384, hashes.SHA512)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


def _names_issuer(
    request: ocsp.OCSPRequest, issuer: x509.Certificate, algorithm: hashes.HashAlgorithm
) -> bool:
    """Whether the request's CertID names `issuer` (a serial number alone could be another CA's):
    its hashes compared with those cryptography computes for the same algorithm."""
    probe = ocsp.OCSPRequestBuilder().add_certificate(issuer, issuer, algorithm).build()
    ours = (probe.issuer_name_hash, probe.issuer_key_hash)
    return ours == (request.issuer_name_hash, request.issuer_key_hash)


class _TimeStamper(DummyTimeStamper):
    """pyHanko's DummyTimeStamper with its RSA key parsed once.

    DummyTimeStamper loads (and so re-validates) the TSA's private key for every token: about
    130 ms of the 135 ms a token cost (bench/seal.py). This is its `_sign_tst_info` (pyHanko 0.38,
    pinned) with the parsed key kept.
    """

    _parsed: rsa.RSAPrivateKey | None = None

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, when: dt.datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        if self._parsed is None:
            key = serialization.load_der_private_key(self.tsa_key.dump(), password=None)
            if not isinstance(key, rsa.RSAPrivateKey):
                raise SigningError("the demo TSA key must be RSA")
            self._parsed = key
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": name, "values": (value,)})
                for name, value in (
                    ("content_type", "tst_info"),
                    ("signing_time", cms.Time({"utc_time": core.UTCTime(when)})),
                    ("signing_certificate", as_signing_certificate(self.tsa_cert)),
                    ("message_digest", digest.finalize()),
                )
            ]
        )
        signature = self._parsed.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
        )
        return signature, signed_attrs


@dataclass(frozen=True)
class Revocation:
    serial: int
    at: dt.datetime
    reason: x509.ReasonFlags


class PkiServices:
    """Answers TSA, OCSP and CRL requests for one demo PKI directory."""

    def __init__(self, directory: Path, *, services_url: str | None = None) -> None:
        self.directory = directory
        self.services_url = services_url
        try:
            self.ca_cert = x509.load_pem_x509_certificate((directory / "root-ca.pem").read_bytes())
            key = serialization.load_pem_private_key(
                (directory / "root-ca.key").read_bytes(), (directory / "root-ca.pass").read_bytes().strip()
            )
        except OSError as e:
            raise SigningError(
                f"{directory}: not a demo PKI with services ({e.strerror}: {e.filename})"
            ) from e
        if not isinstance(key, rsa.RSAPrivateKey):
            raise SigningError(f"{directory}: the demo CA key must be RSA")
        self.ca_key = key
        self._loaded: dict[str, float] = {}
        self._reload()

    def _reload(self) -> None:
        """(Re)read the TSA and OCSP identities and the issued certificates if any file changed."""
        stamps = {name: (self.directory / f"{name}.p12").stat().st_mtime for name in ("tsa", "ocsp")}
        if stamps == self._loaded:
            return
        tsa = load_pkcs12_signer(
            self.directory / "tsa.p12", (self.directory / "tsa.pass").read_bytes().strip()
        )
        # pyHanko's DummyTimeStamper builds genuine RFC 3161 responses, signed with the TSA key given.
        self.timestamper = _TimeStamper(
            tsa_cert=tsa.signing_cert, tsa_key=tsa.signing_key, certs_to_embed=tsa.cert_registry
        )
        responder = load_pkcs12_signer(
            self.directory / "ocsp.p12", (self.directory / "ocsp.pass").read_bytes().strip()
        )
        if responder.signing_cert is None:
            raise SigningError(f"{self.directory / 'ocsp.p12'}: holds no certificate")
        self.responder_cert = x509.load_der_x509_certificate(responder.signing_cert.dump())
        responder_key = serialization.load_der_private_key(responder.signing_key.dump(), password=None)
        if not isinstance(responder_key, rsa.RSAPrivateKey):
            raise SigningError("the demo OCSP responder key must be RSA")
        self.responder_key = responder_key
        self.issued = {
            c.serial_number: c
            for pem in (self.directory / devpki.ISSUED_DIR).glob("*.pem")
            for c in [x509.load_pem_x509_certificate(pem.read_bytes())]
        }
        self._loaded = stamps

    def certificate_of(self, holder: str) -> x509.Certificate:
        """The current certificate of `holder` (a role or "tsa"): its PKCS#12 file's or, for a key
        kept on a PKCS#11 token, its PEM file. Raises SigningError if this PKI has none."""
        pem_path, p12 = self.directory / f"{holder}.pem", self.directory / f"{holder}.p12"
        if pem_path.exists():
            return x509.load_pem_x509_certificate(pem_path.read_bytes())
        if p12.exists():
            signer = load_pkcs12_signer(p12, p12.with_suffix(".pass").read_bytes().strip())
            if signer.signing_cert is not None:
                return x509.load_der_x509_certificate(signer.signing_cert.dump())
        raise SigningError(f"{self.directory}: no certificate for {holder!r} in this demo PKI")

    def _fresh_responder(self, now: dt.datetime) -> None:
        """Renew the responder certificate when it nears its end (or has passed it)."""
        self._reload()
        if self.responder_cert.not_valid_after_utc - RESPONDER_RENEWAL <= now:
            devpki.rotate(self.directory, "ocsp", services_url=self.services_url, now=now)
            self._reload()

    # ------------------------------------------------------------ revocation state

    def revocations(self) -> dict[int, Revocation]:
        path = self.directory / REVOKED_FILE
        if not path.exists():
            return {}
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            int(r["serial"]): Revocation(
                int(r["serial"]), dt.datetime.fromisoformat(r["at"]), x509.ReasonFlags(r["reason"])
            )
            for r in raw
        }

    def revoke(self, serial: int, *, at: dt.datetime, reason: x509.ReasonFlags) -> None:
        """Record a certificate of this PKI as revoked from `at`."""
        if serial not in self.issued:
            raise SigningError(f"no certificate with serial {serial:x} was issued by this PKI")
        current = self.revocations()
        current[serial] = Revocation(serial, at, reason)
        doc = [
            {"serial": r.serial, "at": r.at.isoformat(), "reason": r.reason.value} for r in current.values()
        ]
        (self.directory / REVOKED_FILE).write_text(json.dumps(doc, indent=2), encoding="utf-8")

    # ------------------------------------------------------------ responders

    def timestamp(self, request_der: bytes) -> bytes:
        """An RFC 3161 TimeStampResp for a DER TimeStampReq."""
        self._reload()
        return bytes(self.timestamper.request_tsa_response(tsp.TimeStampReq.load(request_der)).dump())

    def ocsp(self, request_der: bytes, *, now: dt.datetime | None = None) -> bytes:
        """An OCSP response (good, revoked or unknown) for a DER OCSPRequest, signed by the
        delegated responder.

        The answer's CertID uses the request's hash algorithm: a client matches the answer to its
        question by comparing CertIDs, and NSS (pdfsig, Firefox) and OpenSSL ask with SHA-1 and
        cannot match a SHA-256 CertID. A request's nonce is echoed (RFC 8954), as OpenSSL expects.
        """
        now = now or dt.datetime.now(dt.UTC)
        self._fresh_responder(now)
        try:
            request = ocsp.load_der_ocsp_request(request_der)
            algorithm = request.hash_algorithm
        except (ValueError, UnsupportedAlgorithm):
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        if not isinstance(algorithm, _CERTID_HASHES):
            return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
        revoked = self.revocations().get(request.serial_number)
        cert = self.issued.get(request.serial_number)
        builder = ocsp.OCSPResponseBuilder()
        if cert is None or not _names_issuer(request, self.ca_cert, algorithm):
            builder = builder.add_response_by_hash(
                request.issuer_name_hash,
                request.issuer_key_hash,
                request.serial_number,
                algorithm,
                ocsp.OCSPCertStatus.UNKNOWN,
                now,
                now + UPDATE_INTERVAL,
                None,
                None,
            )
        else:
            in_force = revoked if revoked and revoked.at <= now else None
            builder = builder.add_response(
                cert=cert,
                issuer=self.ca_cert,
                algorithm=algorithm,
                cert_status=ocsp.OCSPCertStatus.REVOKED if in_force else ocsp.OCSPCertStatus.GOOD,
                this_update=now,
                next_update=now + UPDATE_INTERVAL,
                revocation_time=in_force.at if in_force else None,
                revocation_reason=in_force.reason if in_force else None,
            )
        try:
            nonce = request.extensions.get_extension_for_class(x509.OCSPNonce)
        except x509.ExtensionNotFound:
            pass
        else:
            builder = builder.add_extension(nonce.value, critical=False)
        response = (
            builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder_cert)
            .certificates([self.responder_cert])
            .sign(self.responder_key, hashes.SHA256())
        )
        return response.public_bytes(serialization.Encoding.DER)

    def crl(self, *, now: dt.datetime | None = None) -> bytes:
        """The current CRL (DER), signed by the CA."""
        now = now or dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.ca_cert.subject)
            .last_update(now)
            .next_update(now + UPDATE_INTERVAL)
            .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        )
        for r in self.revocations().values():
            if r.at <= now:
                entry = (
                    x509.RevokedCertificateBuilder()
                    .serial_number(r.serial)
                    .revocation_date(r.at)
                    .add_extension(x509.CRLReason(r.reason), critical=False)
                    .build()
                )
                builder = builder.add_revoked_certificate(entry)
        return builder.sign(self.ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    # ------------------------------------------------------------ HTTP

    def app(self) -> web.Application:
        """The aiohttp application: POST /tsa, POST /ocsp, GET /crl, GET /healthz."""

        async def tsa(request: web.Request) -> web.Response:
            try:
                body = self.timestamp(await request.read())
            except ValueError:
                return web.Response(status=400, text="not a TimeStampReq")
            return web.Response(body=body, content_type="application/timestamp-reply")

        async def ocsp_handler(request: web.Request) -> web.Response:
            return web.Response(
                body=self.ocsp(await request.read()), content_type="application/ocsp-response"
            )

        async def crl(_: web.Request) -> web.Response:
            return web.Response(body=self.crl(), content_type="application/pkix-crl")

        async def healthz(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        app = web.Application(client_max_size=64 * 1024)
        app.router.add_post("/tsa", tsa)
        app.router.add_post("/ocsp", ocsp_handler)
        app.router.add_get("/crl", crl)
        app.router.add_get("/healthz", healthz)
        return app

    @contextmanager
    def running(self, host: str, port: int) -> Iterator[None]:
        """Serve `app()` on host:port from a background thread (its own event loop) until the
        block ends, then stop and release the port. Raises OSError when it cannot listen."""
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(self.app())
        started = threading.Event()
        failed: list[BaseException] = []

        def serve() -> None:
            try:
                loop.run_until_complete(runner.setup())
                loop.run_until_complete(web.TCPSite(runner, host, port).start())
            except BaseException as e:  # handed to the caller's thread
                failed.append(e)
            started.set()
            if not failed:
                loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            loop.close()

        thread = threading.Thread(target=serve, name=f"pki-services-{port}", daemon=True)
        thread.start()
        started.wait()
        if failed:
            thread.join()
            raise failed[0]
        try:
            yield
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
