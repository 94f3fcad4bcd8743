"""Long-term maintenance of sealed PDFs: what a seal signed, when the newest time evidence runs
out, and adding a fresh document time stamp (PAdES B-LTA renewal)."""

import datetime as dt
import hashlib
import io
import logging
import re
from dataclasses import dataclass

import aiohttp
from asn1crypto import cms, x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.validation import add_validation_info
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from signing.batch import tsa_unavailable
from signing.errors import SigningError
from signing.profiles import PROFILES

log = logging.getLogger(__name__)


def signed_revision_sha256(data: bytes, seal: EmbeddedPdfSignature) -> str:
    """SHA-256 of the bytes up to the end of the revision `seal` signed."""
    start, length = seal.byte_range[2], seal.byte_range[3]
    return hashlib.sha256(data[: start + length]).hexdigest()


def _seals(pdf: bytes) -> list[EmbeddedPdfSignature]:
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return [e for e in signatures if e.sig_object_type == NameObject("/Sig")]


def last_seal_sha256(pdf: bytes) -> str:
    """SHA-256 of the revision the last seal (/Sig, not a document time stamp) signed.

    Raises SigningError if the file has no seal.
    """
    reader = PdfFileReader(io.BytesIO(pdf))
    last = _last_seal_by_field(reader, pdf)
    if last is not None:
        start, length = last
        return hashlib.sha256(pdf[: start + length]).hexdigest()
    seals = [e for e in reader.embedded_signatures if e.sig_object_type == NameObject("/Sig")]
    if not seals:
        raise SigningError("the document carries no seal")
    return signed_revision_sha256(pdf, seals[-1])


_SEAL_FIELDS = frozenset(profile.field_name for profile in PROFILES.values())


def _last_seal_by_field(reader: PdfFileReader, pdf: bytes) -> tuple[int, int] | None:
    """(start, length) of the last part of the ByteRange of the newest of our seal fields' values,
    or None when the file has none of them.

    Reading every signature (`embedded_signatures`) parses each one's /Contents, tens of kilobytes
    of hex through pyHanko's tokenizer, byte by byte: a quarter of issuing's own CPU
    (docs/performance.md). The seal fields have known names, the newest value is the one a later
    revision introduced, and its /ByteRange is read from the object's bytes (`_byte_range`).
    """
    form = reader.root.get("/AcroForm")
    if form is None:
        return None
    newest: tuple[int, generic.IndirectObject] | None = None
    for field in form.get_object().get("/Fields", ()):
        field = field.get_object()
        value = field.raw_get("/V") if "/V" in field else None
        if str(field.get("/T", "")) not in _SEAL_FIELDS or not isinstance(value, generic.IndirectObject):
            continue
        revision = reader.xrefs.get_introducing_revision(value.reference)
        if newest is None or revision > newest[0]:
            newest = (revision, value)
    if newest is None:
        return None
    found = _byte_range(pdf, reader.xrefs[newest[1].reference])
    if found is None:  # not laid out as pyHanko writes it: read the dictionary the slow way
        byte_range = newest[1].get_object()["/ByteRange"]  # type: ignore[no-untyped-call]  # untyped
        found = (int(byte_range[2]), int(byte_range[3]))
    return found


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _byte_range(pdf: bytes, offset: object) -> tuple[int, int] | None:
    """The (start, length) after the hole of the signature dictionary at `offset`, read from its
    bytes, or None unless the range is consistent with that dictionary: starting at 0, its hole a
    hex string inside the dictionary itself, its end within the file. (Hand-written because the
    only library way, pyHanko's object reader, tokenises the /Contents in the hole.)"""
    if not isinstance(offset, int):  # in an object stream
        return None
    end = pdf.find(b"endobj", offset)
    match = _BYTE_RANGE.search(pdf, offset, end) if end > offset else None
    if match is None:
        return None
    first, hole, second, length = (int(n) for n in match.groups())
    delimited = pdf[hole : hole + 1] == b"<" and pdf[second - 1 : second] == b">"
    inside = offset < hole < second < end and delimited
    if first != 0 or not inside or second + length > len(pdf):
        return None
    return second, length


@dataclass(frozen=True)
class TimeEvidence:
    """The newest time stamp a sealed PDF carries."""

    kind: str
    """"document" (a /DocTimeStamp), "signature" (a seal's own time stamp) or "none"."""
    at: dt.datetime | None
    """The time it proves."""
    expires: dt.datetime | None
    """When its time-stamping certificate expires: renew before then."""


def newest_time_evidence(pdf: bytes) -> TimeEvidence:
    """The newest time stamp in `pdf` (unvalidated: this only schedules re-time-stamping)."""
    signatures = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    stamps = [e for e in signatures if e.sig_object_type == NameObject("/DocTimeStamp")]
    if stamps:
        token = stamps[-1].signed_data
        return TimeEvidence("document", token_time(token), _signer(token).not_valid_after)
    tokens = [t for e in signatures for t in extract_tst_data_iter(e.signer_info, signed=False)]
    if tokens:
        newest = max(tokens, key=token_time)
        return TimeEvidence("signature", token_time(newest), _signer(newest).not_valid_after)
    return TimeEvidence("none", None, None)


def token_time(token: cms.SignedData) -> dt.datetime:
    """The genTime a time-stamp token claims (unverified)."""
    return token["encap_content_info"]["content"].parsed["gen_time"].native  # type: ignore[no-any-return]


def _signer(token: object) -> x509.Certificate:
    sid = token["signer_infos"][0]["sid"]  # type: ignore[index]
    for choice in token["certificates"]:  # type: ignore[index]
        cert = choice.chosen
        if (
            sid.name == "issuer_and_serial_number"
            and cert.serial_number == sid.chosen["serial_number"].native
        ):
            return cert
        if sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return cert
    raise SigningError("a time-stamp token does not carry its signer's certificate")


def _add_seal_validation_data(pdf: bytes, context: ValidationContext) -> bytes:
    for index in range(len(_seals(pdf))):
        seal = _seals(pdf)[index]  # re-read: each addition is a new revision
        pdf = bytes(add_validation_info(seal, context, force_write=True).getvalue())
    return pdf


def retimestamp(pdf: bytes, *, timestamper: TimeStamper, trust_roots: list[x509.Certificate]) -> bytes:
    """Append validation data for the newest time stamp and a fresh document time stamp.

    A file that carries no validation data yet (sealed at B-B or B-T) first gets its seals' chains
    and revocation answers (it becomes B-LTA). The answers are fetched now from the certificates'
    own OCSP/CRL addresses; answers issued after a time stamp count for it (retroactive), as that is
    when a renewal happens. Raises SigningError when the TSA or a revocation service does not
    answer, or a certificate does not validate (a revoked seal certificate among them).
    """
    context = ValidationContext(trust_roots=trust_roots, allow_fetching=True, retroactive_revinfo=True)
    try:
        if b"/DSS" not in pdf or "/DSS" not in PdfFileReader(io.BytesIO(pdf)).root:
            pdf = _add_seal_validation_data(pdf, context)
        reader = PdfFileReader(io.BytesIO(pdf))
        out = signers.PdfTimeStamper(timestamper).update_archival_timestamp_chain(
            reader, context, in_place=False
        )
        return bytes(out.getvalue())
    # The library's words go to the log; the operator reads which service to bring back.
    except TimestampRequestError as e:
        log.info("re-time-stamping failed: %s", e)
        raise tsa_unavailable(_url_of(timestamper), e) from e
    except (aiohttp.ClientError, TimeoutError) as e:
        log.info("re-time-stamping failed: %r", e)
        raise SigningError(
            f"the time-stamping authority at {_url_of(timestamper)} or the OCSP responder of the seal "
            "certificates does not answer: renew once both answer"
        ) from e
    except (PathValidationError, PathBuildingError) as e:
        log.info("re-time-stamping failed: %s", e)
        raise SigningError(
            "the newest time stamp's certificate does not validate now (revoked, expired or not "
            "from a trusted authority)"
        ) from e
    except (PyHankoSigningError, PdfError, ValueError) as e:
        log.info("re-time-stamping failed: %s", e)
        raise SigningError(
            "the document could not be re-time-stamped: its structure was not understood"
        ) from e


def _url_of(timestamper: TimeStamper) -> str:
    return str(getattr(timestamper, "url", "the configured URL"))
