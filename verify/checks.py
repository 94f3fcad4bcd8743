"""Judging one file offline: ordered steps that collect facts, then named rules over them.

The steps (python-tuf's way) stop at the first that fails, because each presumes the ones before:
admission, parsing, no encryption, a bounded number of revisions, seals not dated after the moment
asked about, seals only from issuers we know. The facts gathered (verify.facts) are then judged by
R-ACCEPT, the long-term rules and R-AUDIT, each a function returning findings with its rule id;
the verdict is computed from the findings (verify.report.worst). docs/verification.md lists every
rule; docs/verification-threats.md, "The acceptance rule and the revision audit", says why each
exists: pyHanko's per-signature `bottom_line` stays True for an approval signature followed by an
illegal change, and for a third signature by any trusted key.
"""

import datetime as dt
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import NameObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

from registry.chinatime import in_china
from signing.ltv import signed_revision_sha256, token_time
from signing.profiles import RECEIPT_SEALS
from signing.trust import TrustSettings
from verify.admission import ENCRYPTED, admit, revision_problem
from verify.audit import audit_revisions
from verify.facts import (
    FileFacts,
    SealFacts,
    certificates_b64,
    expected_seals,
    from_anchor,
    subject_name,
    validate_seal,
)
from verify.file_rules import FILE_RULES
from verify.holder_copies import INFO_KEY as HOLDER_COPY_KEY
from verify.longterm import Knowledge, document_timeline
from verify.report import Finding, SignatureReport, Verdict, worst
from verify.rules import RuleId
from verify.seal_rules import untrusted
from verify.statement import INFO_KEY
from verify.tail import tail_findings
from verify.text import Text

log = logging.getLogger(__name__)

UNPARSABLE = Text(
    "无法分析文件的结构：文件已损坏，或不是由签发机构生成的",
    "the file's structure could not be analysed: it is damaged or was not made by the issuer",
)


class Analyser(Protocol):
    """Something that analyses a file: analyse_pdf in-process, or verify.sandbox.IsolatedAnalyser."""

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> "Analysis": ...


@dataclass(frozen=True)
class Analysis:
    """What one file's seals and structure show, before the registry is asked."""

    findings: tuple[Finding, ...] = ()
    """What the steps and rules found, in order."""
    signatures: tuple[SignatureReport, ...] = ()
    document_timestamps: tuple[str, ...] = ()
    """Proven times of the trusted document time stamps (PAdES B-LTA), oldest first."""
    signed_sha256: str | None = None
    """SHA-256 of the revision the last seal signed: what the registry binds, so validation data
    added later (re-time-stamping, a reader's "add verification information") keeps the binding.
    Set only when everything after that revision is such validation data (verify.tail)."""
    validation_time: str | None = None
    """The moment the file was judged as of (ISO 8601)."""
    seal_certificates: tuple[tuple[str, str | None], ...] = ()
    """Each seal's certificate and its issuer's (base64 DER; the issuer None for an untrusted seal),
    in file order: what online revocation (verify.revocation) asks about, outside the sandbox."""
    is_receipt: bool = False
    """The file is one of the site's verification reports (verify.facts.expected_seals), judged as
    such and never looked up in the registry."""
    statement: str | None = None
    """A verification report's statement, as its document information holds it (JSON)."""
    holder_copy: str | None = None
    """A holder's annotated copy's note (verify.holder_copies), as its document information holds
    it (JSON): sealed like a report, the copy is judged by what it says it is a copy of."""

    @property
    def verdict(self) -> Verdict:
        return worst(self.findings)

    @property
    def reasons(self) -> list[str]:
        return [f.message for f in self.findings]

    @property
    def rules(self) -> list[RuleId]:
        return [f.rule for f in self.findings]

    @classmethod
    def refused(cls, rule: RuleId, text: Text, *, at: dt.datetime | None = None) -> "Analysis":
        """A file a step refused: one finding, MALFORMED for the admission rules, else INVALID."""
        verdict = Verdict.MALFORMED if rule.startswith("admit.") else Verdict.INVALID
        return cls((Finding(rule, text, verdict),), validation_time=at.isoformat() if at else None)


def analyse_pdf(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """Judge the seals and structure of `data` as of `at` (default: now, read once here), offline.

    Never raises: anything unexpected is MALFORMED.
    """
    admission = admit(data)
    if not admission.ok:
        return Analysis.refused(RuleId.ADMIT_BYTES, admission.reason or Text("文件被拒绝", "rejected"))
    try:
        return _analyse(data, trust, (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    except Exception as e:  # fail closed: any parser or validator failure is "malformed"
        # the type is for operators; a person reads a plain sentence, never a library's words
        log.info("verification failed closed: %s", type(e).__name__)
        return Analysis.refused(RuleId.ADMIT_PARSE, UNPARSABLE)


def _analyse(data: bytes, trust: TrustSettings, when: dt.datetime) -> Analysis:
    reader = PdfFileReader(io.BytesIO(data), strict=True)
    if reader.encrypted:
        return Analysis.refused(RuleId.ADMIT_ENCRYPTED, ENCRYPTED)
    everything = reader.embedded_signatures
    embedded = [e for e in everything if e.sig_object_type == NameObject("/Sig")]
    all_stamps = [e for e in everything if e.sig_object_type == NameObject("/DocTimeStamp")]
    last_signed = embedded[-1].signed_revision if embedded else -1
    if too_many := revision_problem(reader.xrefs.total_revisions, last_signed if embedded else None):
        return Analysis.refused(RuleId.ADMIT_REVISIONS, too_many)
    doc_stamps = [s for s in all_stamps if s.signed_revision > last_signed]
    knowledge = Knowledge.of(reader)
    timeline = document_timeline(doc_stamps, knowledge, trust, when)
    claimed = [
        t for emb in embedded for t in map(token_time, extract_tst_data_iter(emb.signer_info, signed=False))
    ]
    if claimed and max(claimed) > when:
        return Analysis.refused(
            RuleId.ACCEPT_SEALED_BEFORE_MOMENT,
            Text(
                f"这些印章加盖于北京时间 {in_china(max(claimed)):%Y-%m-%d %H:%M}，晚于所查询的时间"
                f"（北京时间 {in_china(when):%Y-%m-%d %H:%M}）：那时这份文件还不存在",
                f"the seals were made on {max(claimed):%Y-%m-%d %H:%M} UTC, after "
                f"{when:%Y-%m-%d %H:%M} UTC: the document did not exist yet at the time asked about",
            ),
            at=when,
        )
    seals: list[SealFacts] = []
    for n, emb in enumerate(embedded, start=1):
        try:
            seals.append(validate_seal(emb, n, knowledge, timeline, trust))
        except Exception as e:  # pyHanko may raise on a chain it cannot build (a look-alike CA)
            if from_anchor(emb.signer_cert, trust):
                raise
            log.info("seal %d of a foreign issuer raised %s", n, type(e).__name__)
            return Analysis.refused(
                RuleId.ACCEPT_KNOWN_ISSUER,
                untrusted(n, subject_name(emb.signer_cert)),
                at=when,
            )
    tail = tail_findings(reader, last_signed) if embedded else []
    plan = expected_seals(seals)
    holder_copy = info_entry(reader, HOLDER_COPY_KEY) if plan == RECEIPT_SEALS else None
    statement = info_entry(reader, INFO_KEY) if plan == RECEIPT_SEALS and holder_copy is None else None
    facts = FileFacts(
        moment=when,
        seals=tuple(seals),
        stamps_before_seals=len(all_stamps) - len(doc_stamps),
        timeline=timeline,
        tail=tuple(tail),
        form_fields=tuple(_non_signature_fields(reader)),
        revision_audit=tuple(audit_revisions(data, reader)),
        plan=plan,
        statement=statement,
        holder_copy=holder_copy,
    )
    return Analysis(
        findings=tuple(judge(facts)),
        signatures=tuple(s.report for s in seals),
        document_timestamps=tuple(t.isoformat() for t in timeline.proven),
        signed_sha256=signed_revision_sha256(data, embedded[-1]) if embedded and not tail else None,
        validation_time=when.isoformat(),
        seal_certificates=tuple(certificates_b64(s.status) for s in seals),
        is_receipt=plan == RECEIPT_SEALS and holder_copy is None,
        statement=statement,
        holder_copy=holder_copy,
    )


def judge(
    facts: FileFacts, rules: tuple[Callable[[FileFacts], Iterator[Finding]], ...] = FILE_RULES
) -> Iterator[Finding]:
    """Every finding of the file rules, in the rules' order."""
    for rule in rules:
        yield from rule(facts)


def _non_signature_fields(reader: PdfFileReader) -> list[str]:
    acroform = reader.root.get("/AcroForm")
    if acroform is None:
        return []
    names = []
    for ref in acroform.get_object().get("/Fields", []):
        fld = ref.get_object()
        if fld.get("/FT") != NameObject("/Sig"):
            names.append(str(fld.get("/T", "?")))
    return names


def info_entry(reader: PdfFileReader, key: str) -> str | None:
    """A text entry of the file's document information, or None (absent, or not a string). Read
    from the final file: the tail and certification rules judge whatever came after the seal."""
    try:
        info = reader.trailer_view["/Info"]
    except KeyError:
        return None
    value = info.get(key) if isinstance(info, generic.DictionaryObject) else None
    return str(value) if isinstance(value, generic.TextStringObject) else None
