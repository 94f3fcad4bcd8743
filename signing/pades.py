"""PAdES sealing: create every seal field, certify with the committee, approve with the authority.

Both signature fields are created in the revision of the certification signature: a visible field
added after a certification signature would void it (docs/signing.md, "Certification and approval
signatures"). Every other form field is
flattened into its page first (signing.flatten).
"""

import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.metadata import xmp_xml
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import fields, signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import InsufficientRevinfoError, PathBuildingError, PathValidationError

from signing.appearance import seal_style
from signing.batch import ANSWER_TOLERANCE, SignatureSizes, tsa_unavailable
from signing.errors import ServiceUnavailable, SigningError
from signing.flatten import flatten_form_fields
from signing.keys import SealKey
from signing.profiles import PROFILES, SIGNING_ORDER, SealPlacement, certification_permission
from signing.roles import Role


@dataclass(frozen=True)
class LongTerm:
    """Long-term validation settings for sealing (PAdES B-LT, B-LTA)."""

    trust_roots: tuple[x509.Certificate, ...]
    """Anchors the signer's chain is validated against before signing; its OCSP/CRL answers
    (fetched from the certificates' own URLs) are embedded in the document security store."""
    archive: bool = True
    """B-LTA: finish with a document time stamp over everything."""
    validation_contexts: Callable[[], ValidationContext] | None = None
    """Makes each seal's validation context: `signing.batch.BatchValidation` lets a batch's seals
    share what they fetch, so each OCSP answer is fetched once per batch. By default each seal
    makes a context of its own, which fetches again."""


def seal_pdf(
    pdf: bytes,
    *,
    placements: Sequence[SealPlacement],
    keys: Mapping[Role, SealKey],
    font_path: Path,
    location: str = "重庆",
    timestamper: TimeStamper | None = None,
    long_term: LongTerm | None = None,
    order: Sequence[Role] = SIGNING_ORDER,
    sizes: SignatureSizes | None = None,
    reason: str | None = None,
) -> bytes:
    """Return `pdf` with the seals of `order`: by default the committee's certification and the
    authority's approval (a verification report has the verification service's alone, a document
    of the committee's own the committee's: `signing.profiles.certification_permission`).

    `placements` gives one visible seal box per role, and the date its appearance prints. With
    `timestamper`, each signature carries an RFC 3161 signature time-stamp (PAdES B-T); reuse one
    timestamper for a batch, since pyHanko caches its size-estimation token per instance. With
    `long_term` as well, each signature embeds its validation data (B-LT) and, if archival, the
    last is followed by a document time stamp (B-LTA). With `sizes`, the batch's estimate of each
    signature's size is used instead of pyHanko's dummy signature per seal. `reason` replaces the
    profile's /Reason (a holder's annotated copy states its annotation there). Raises SigningError
    when a role has no placement or key, the time-stamping authority does not answer, or pyHanko
    refuses the document.
    """
    by_role = {p.role: p for p in placements}
    missing = [r.value for r in order if r not in by_role or r not in keys]
    if missing:
        raise SigningError(f"no seal placement or key for: {', '.join(missing)}")
    if long_term is not None and timestamper is None:
        raise SigningError("long-term validation (B-LT, B-LTA) needs a time-stamping authority")
    pdf = flatten_form_fields(pdf)
    try:
        try:
            return _seal(
                pdf, by_role, keys, font_path, location, timestamper, long_term, order, sizes, reason
            )
        except PyHankoSigningError as e:
            if sizes is None or "larger than expected" not in str(e):
                raise
            sizes.forget()  # a time-stamp token outgrew the batch's estimate: measure again
            return _seal(pdf, by_role, keys, font_path, location, timestamper, long_term, order, None, reason)
    except (TimestampRequestError, aiohttp.ClientError, TimeoutError) as e:
        url = getattr(timestamper, "url", "its configured address")
        raise tsa_unavailable(url, e, then="nothing was sealed") from e
    except PyHankoSigningError as e:
        cause = e.__cause__
        if isinstance(cause, InsufficientRevinfoError):  # revocation_mode "require": no OCSP answer
            named = dict.fromkeys(u for key in keys.values() for u in key.signer_cert.ocsp_urls)
            urls = ", ".join(named) or "the seal certificates' address"
            raise ServiceUnavailable(ServiceUnavailable.OCSP, urls, then="nothing was sealed") from e
        if isinstance(cause, PathValidationError | PathBuildingError):
            reason = f"the signing certificate does not validate for long-term signing ({cause})"
            raise SigningError(f"{reason}; nothing was sealed") from e
        raise SigningError(f"pyHanko could not seal the document: {e}") from e
    except (PdfError, ValueError, KeyError) as e:
        raise SigningError(f"pyHanko could not seal the document: {e}") from e


def _seal(
    pdf: bytes,
    by_role: Mapping[Role, SealPlacement],
    keys: Mapping[Role, SealKey],
    font_path: Path,
    location: str,
    timestamper: TimeStamper | None,
    long_term: LongTerm | None,
    order: Sequence[Role],
    sizes: SignatureSizes | None,
    reason: str | None = None,
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    for role in order:
        place = by_role[role]
        fields.append_signature_field(
            writer, fields.SigFieldSpec(PROFILES[role].field_name, on_page=place.page, box=place.box)
        )
    out = io.BytesIO()
    for index, role in enumerate(order):
        if index:
            writer = IncrementalPdfFileWriter(out)
            out = io.BytesIO()
        last = index == len(order) - 1
        key = keys[role]
        _sign(
            writer,
            out,
            key,
            docmdp=certification_permission(role, order),
            placement=by_role[role],
            font_path=font_path,
            location=location,
            timestamper=timestamper,
            long_term=long_term,
            last=last,
            reserved=sizes.reserve(key.signer, timestamper) if sizes is not None else None,
            reason=reason,
        )
    return out.getvalue()


def _keep_xmp(writer: IncrementalPdfFileWriter) -> None:
    """Let pyHanko update the document's XMP metadata instead of replacing it.

    pyHanko rewrites /Metadata on every signature; unless the catalog holds its own MetadataStream
    type, it writes a fresh packet with only its fields, and the PDF/A identification
    (pdfaid:part, pdfaid:conformance) that LibreOffice wrote is lost. Wrapping the existing packet
    makes pyHanko update the dates and producer in place and keep everything else.
    """
    existing = writer.root.get("/Metadata")
    if existing is None or isinstance(existing, xmp_xml.MetadataStream):
        return
    stream = existing.get_object()
    writer.root["/Metadata"] = writer.add_object(xmp_xml.MetadataStream(stream_data=stream.data))
    writer.update_root()  # type: ignore[no-untyped-call]  # untyped in pyHanko


def _sign(
    writer: IncrementalPdfFileWriter,
    out: io.BytesIO,
    key: SealKey,
    *,
    docmdp: MDPPerm | None,
    placement: SealPlacement,
    font_path: Path,
    location: str,
    timestamper: TimeStamper | None,
    long_term: LongTerm | None,
    last: bool,
    reserved: int | None,
    reason: str | None = None,
) -> None:
    profile = PROFILES[key.role]
    _keep_xmp(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=profile.field_name,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason or profile.reason,
        location=location,
        name=key.seal_name,
        certify=profile.certify,
    )
    if docmdp is not None:
        meta = dataclasses.replace(meta, docmdp_permissions=docmdp)
    if long_term is not None:
        if long_term.validation_contexts is not None:
            context = long_term.validation_contexts()
        else:
            context = ValidationContext(
                trust_roots=list(long_term.trust_roots),
                allow_fetching=True,
                revocation_mode="require",
                time_tolerance=ANSWER_TOLERANCE,
            )
        meta = dataclasses.replace(
            meta,
            embed_validation_info=True,
            validation_context=context,
            use_pades_lta=last and long_term.archive,
            dss_settings=_dss_placement(last),
        )
    pdf_signer = signers.PdfSigner(
        meta,
        key.signer,
        timestamper=timestamper,
        stamp_style=seal_style(key.seal_image, font_path, key.seal_name, placement.date, placement.box),
    )
    pdf_signer.sign_pdf(writer, existing_fields_only=True, bytes_reserved=reserved, output=out)


def _dss_placement(last: bool) -> DSSContentSettings:
    """Where a long-term seal's validation data goes, in as few revisions as PAdES allows: an
    earlier seal's (its chain and OCSP answers, fetched before signing) in its own signed
    revision; the last seal's, which also covers the time-stamp tokens of both (one TSA), with the
    document time stamp (B-LTA) or in the one revision after it (B-LT). Only the document time
    stamp's own validation data follows it, as the next renewal needs it (docs/signing.md)."""
    if last:
        return DSSContentSettings(placement=SigDSSPlacementPreference.TOGETHER_WITH_NEXT_TS)
    return DSSContentSettings(placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False)
