"""Time and revocation evidence: validate a file as of a moment, offline, from what it carries.

A sealed document proves its own history: each seal's RFC 3161 time stamp dates the seal, the
document security store (/DSS) holds the OCSP answers and CRLs for every certificate (PAdES
B-LT), and each document time stamp (B-LTA) proves that everything before it existed at its time.
The rule applied here, newest evidence first:

- the newest document time stamp is checked at the time it claims, with the revocation answers
  fetched when it was made (an answer saying "revoked" fails it; none at all is tolerated), and
  its certificate must not have expired by the validation time (now, or `--at`): revocation after
  the newest time stamp cannot be known from the file, and is what re-time-stamping renews;
- every older document time stamp is checked at the time the next one proves, with revocation
  information required;
- each seal's own time stamp is checked at the time the oldest document time stamp proves, and the
  seal's certificate at the time its time stamp proves; when the file carries validation data,
  revocation information is required for them, so a certificate revoked before the seal was
  made fails.

Why not pyHanko's AdES engine (`ades_lta_validation`): it is marked incubating, and in pyHanko
0.38 it reported NO_POE for our correctly re-time-stamped files validated years later (its
time-slide treats a CA-signed OCSP answer's issuer as needing revocation data of its own, and its
doc-time-stamp chain check failed on stale revocation data for the newest time stamp), so
verification here composes pyHanko's classic validators with explicit moments instead.
Nothing is ever fetched: every context is built from the file's own /DSS.
"""

import datetime as dt
from dataclasses import dataclass, field

from asn1crypto import crl, ocsp, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko_certvalidator import ValidationContext

from signing.ltv import token_time
from signing.trust import TrustSettings
from verify.text import Text


@dataclass(frozen=True)
class Knowledge:
    """The validation data a file carries in its document security store."""

    certs: tuple[x509.Certificate, ...] = ()
    ocsps: tuple[ocsp.OCSPResponse, ...] = ()
    crls: tuple[crl.CertificateList, ...] = ()

    @property
    def present(self) -> bool:
        """The file carries revocation information (PAdES B-LT or B-LTA)."""
        return bool(self.ocsps or self.crls)

    @classmethod
    def of(cls, reader: PdfFileReader) -> "Knowledge":
        dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
        if dss is None:
            return cls()
        certs = tuple(x509.Certificate.load(c.get_object().data) for c in dss.certs.values())
        ocsps = tuple(ocsp.OCSPResponse.load(o.get_object().data) for o in dss.ocsps)
        crls = tuple(crl.CertificateList.load(c.get_object().data) for c in dss.crls)
        return cls(certs, ocsps, crls)

    def context(
        self, trust: TrustSettings, moment: dt.datetime, *, require_revinfo: bool
    ) -> ValidationContext:
        """A context validating at `moment` with this knowledge only (no fetching).

        Revocation answers issued after `moment` count (retroactive): an answer saying "good"
        later means the certificate was not revoked before; this CA never puts certificates on
        hold, the one case where that reasoning fails.
        """
        return ValidationContext(
            trust_roots=list(trust.anchors),
            other_certs=list(self.certs),
            ocsps=list(self.ocsps),
            crls=list(self.crls),
            allow_fetching=False,
            moment=moment,
            retroactive_revinfo=True,
            revocation_mode="require" if require_revinfo else "soft-fail",
        )


@dataclass
class Timeline:
    """The validated document time stamps and the moments derived from them."""

    validation_time: dt.datetime
    """When the file is judged: now, or the `--at` date."""
    proven: list[dt.datetime] = field(default_factory=list)
    """Times of the document time stamps that validated, oldest first."""
    ignored: int = 0
    """Document time stamps made after the validation time (not evidence as of then)."""
    problems: list[Text] = field(default_factory=list)
    """Document time stamps that failed, in plain words."""
    expired: list[Text] = field(default_factory=list)
    """Failures caused by certificates that expired before the validation time."""

    @property
    def existence_proven_at(self) -> dt.datetime:
        """The earliest time the sealed content is proven to have existed (else the validation time)."""
        return self.proven[0] if self.proven else self.validation_time


def document_timeline(
    stamps: list[EmbeddedPdfSignature],
    knowledge: Knowledge,
    trust: TrustSettings,
    validation_time: dt.datetime,
) -> Timeline:
    """Validate the document time stamps newest first, each at the time the next one proves."""
    timeline = Timeline(validation_time)
    usable = []
    for stamp in stamps:
        if token_time(stamp.signed_data) > validation_time:
            timeline.ignored += 1
        else:
            usable.append(stamp)
    moment, newest = validation_time, True
    for n, stamp in reversed(list(enumerate(usable, start=1))):
        at = token_time(stamp.signed_data) if newest else moment
        # No diff analysis here: every document time stamp follows the last seal, whose own diff
        # analysis (verify.checks) already judges each later revision; one per stamp made the
        # cost quadratic in renewals (docs/verification-threats.md, "Untrusted uploads";
        # docs/performance.md).
        status = validate_pdf_timestamp(
            stamp, knowledge.context(trust, at, require_revinfo=not newest), skip_diff=True
        )
        cert = status.signing_cert
        in_force = cert is not None and cert.not_valid_after >= moment
        if status.intact and status.valid and status.trusted and in_force:
            timeline.proven.insert(0, status.timestamp)
            moment, newest = status.timestamp, False
            continue
        if status.intact and status.valid and cert is not None and cert.not_valid_after < moment:
            expired = f"{cert.not_valid_after:%Y-%m-%d}"
            timeline.expired.append(
                Text(
                    f"文档时间戳 {n} 的证书已于 {expired} 过期，且没有更晚的时间戳覆盖它",
                    f"document time stamp {n}'s certificate expired on {expired} "
                    "and no later time stamp covers it",
                )
            )
        else:
            timeline.problems.append(
                Text(
                    f"文档时间戳 {n} 已损坏，或不是由受信任的时间戳机构签发的",
                    f"document time stamp {n} is broken or not from a trusted time-stamping authority",
                )
            )
        break  # older stamps cannot be proven without this one
    return timeline
