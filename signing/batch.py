"""What a batch's seals share: one TLS context, one set of OCSP/CRL fetchers, each key's signature size.

pyHanko's defaults suit a single signature. Its timestamper and its certificate-validation fetchers
open a fresh aiohttp session for every top-level call, and each such session builds a TLS context
from certifi's CA bundle (30-50 ms here, even for plain HTTP); a validation context made for each
seal asks the OCSP responder again for every certificate of every document. For a batch,
`BatchTimeStamper` and `BatchValidation` build the TLS context once and share the validation
contexts' fetchers, so each OCSP answer is fetched once per batch (bench/seal.py,
docs/performance.md).

Sessions still open and close inside each top-level call, as pyHanko's own do: a session belongs to
the event loop that opened it, and pyHanko's synchronous API runs a new loop per call.
"""

import asyncio
import datetime as dt
import hashlib
import ssl
from collections.abc import Iterable

import aiohttp
import certifi
from asn1crypto import tsp, x509
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.util import LazySession
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from signing.errors import ServiceUnavailable


def tls_context() -> ssl.SSLContext:
    """The TLS context pyHanko's fetchers build per session (certifi's CA bundle), built once."""
    return ssl.create_default_context(cafile=certifi.where())


def _session(tls: ssl.SSLContext) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=tls))


class BatchTimeStamper(HTTPTimeStamper):
    """An RFC 3161 client for a batch: a session per request, as pyHanko's, but on one TLS context.

    Reuse one instance for the whole batch: pyHanko caches its size-estimation token per instance.
    """

    def __init__(self, url: str, tls: ssl.SSLContext | None = None, timeout: int = 5) -> None:
        super().__init__(url, timeout=timeout)
        self._tls = tls or tls_context()

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        async with _session(self._tls) as session:
            client = HTTPTimeStamper(self.url, timeout=self.timeout, session=session)
            return await client.async_request_tsa_response(req)


class _LazySession(LazySession):
    """A session opened on first use with the batch's TLS context; pyHanko closes it (through the
    validation context's `aclose`) at the end of each top-level call, and the next call opens another."""

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # untyped in pyhanko-certvalidator
        self._tls = tls
        self._open: aiohttp.ClientSession | None = None

    def get_session(self) -> aiohttp.ClientSession:
        if self._open is None:
            self._open = _session(self._tls)
        return self._open

    async def close(self) -> None:
        session, self._open = self._open, None
        if session is not None:
            await session.close()


ANSWER_TOLERANCE = dt.timedelta(minutes=2)
"""How much later than a seal's validation moment a fresh OCSP answer's thisUpdate may be. A
responder that answers on demand dates its answer when it makes it, after the moment the seal's
context was opened (the time stamp comes first; a loaded machine adds seconds) and by its own
clock; pyHanko's default of one second refused such answers as "too recent", so a busy batch or
a responder's clock a little ahead failed seals that were fine."""


class BatchValidation:
    """Makes the validation context of each long-term seal of a batch; the contexts share their
    fetchers, so each certificate's OCSP answer (and any CRL or issuer certificate) is fetched once
    per batch and embedded from there on.

    Each context still validates at the moment it is made, as pyHanko's default does: a shared
    context would validate every seal at the batch's start, and OCSP answers issued after that
    moment are refused as too recent. A signer revoked after its answer was fetched is not noticed
    until the next batch, as with any OCSP answer cached until its nextUpdate.
    """

    def __init__(self, trust_roots: Iterable[x509.Certificate], tls: ssl.SSLContext | None = None) -> None:
        self.trust_roots = list(trust_roots)
        self._backend = AIOHttpFetcherBackend()
        self._backend.session = _LazySession(tls or tls_context())
        self._fetchers = self._backend.get_fetchers()  # one cache and one request budget per batch

    def __call__(self) -> ValidationContext:
        # pyHanko closes an owned backend's session when the call that used it ends.
        return ValidationContext(
            trust_roots=self.trust_roots,
            allow_fetching=True,
            revocation_mode="require",  # B-LT must embed an answer: no answer, no seal
            fetcher_backend=OwnedFetcherBackend(self._backend),
            fetchers=self._fetchers,
            time_tolerance=ANSWER_TOLERANCE,
        )


class SignatureSizes:
    """The room each seal of a batch reserves for its signature, estimated once per key and TSA.

    Without a size, pyHanko builds a whole dummy signature for every seal to measure it (a fifth
    of a seal's time: docs/performance.md). A key's signature is the same size on every document;
    only the time-stamp token in it varies a little (its serial number, the TSA's clock), which
    pyHanko's own margin of half the estimate covers. Should a token outgrow it all the same (a
    TSA with a new, longer certificate chain in the middle of a batch), `signing.pades` seals that
    document again with fresh estimates and forgets these.
    """

    MARGIN = 0.5
    """pyHanko's own margin over the measured size (`PdfSigningSession.estimate_signature_container_size`)."""

    def __init__(self) -> None:
        self._sizes: dict[tuple[str, str], int] = {}

    def reserve(self, signer: Signer, timestamper: TimeStamper | None) -> int:
        """The bytes to reserve (hex digits, even) for `signer`'s signature with `timestamper`."""
        cert = signer.signing_cert
        assert cert is not None  # every seal key has its certificate  # noqa: S101
        tsa = getattr(timestamper, "url", "") if timestamper is not None else "none"
        key = (hashlib.sha256(cert.dump()).hexdigest(), tsa)
        if key not in self._sizes:
            self._sizes[key] = asyncio.run(_measured(signer, timestamper))
        return self._sizes[key]

    def forget(self) -> None:
        self._sizes.clear()


async def _measured(signer: Signer, timestamper: TimeStamper | None) -> int:
    """The size pyHanko would reserve: a dummy signature's, as hex, plus its margin (the dummy
    time-stamp token is fetched once per timestamper and kept by it)."""
    dummy = await signer.async_sign(
        hashlib.sha256().digest(),
        "sha256",
        use_pades=True,
        dry_run=True,
        timestamper=timestamper,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=dt.datetime.now(dt.UTC)),
    )
    length = len(dummy.dump()) * 2
    return length + 2 * int(length * SignatureSizes.MARGIN / 2)


def tsa_unavailable(url: str, error: BaseException, *, then: str = "") -> ServiceUnavailable:
    """What a failed time-stamp request means for the user: the TSA does not answer (no connection,
    timeout) or answered with an error or something that is not a time-stamp reply."""
    cause = error.__cause__ or error
    answered = isinstance(cause, aiohttp.ClientResponseError)  # an HTTP error status
    refused = answered or not isinstance(cause, OSError | aiohttp.ClientError)
    return ServiceUnavailable(ServiceUnavailable.TSA, url, refused=refused, then=then)
