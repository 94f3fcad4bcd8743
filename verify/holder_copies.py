"""The holder's annotated copy (持证人加注副本): the certificate with the annotation of one of the
holder's share links printed on it, made and sealed by the verification service.

A certificate's own seals cannot take the annotation: the committee's certification allows form
filling and signing only, so text printed on the page after it would void it. The copy is
therefore a document of the verification service's (its sole seal certifies it, DocMDP P=1) that
shows the certificate's page with the annotation and carries the issued certificate, seals
intact, as an attachment. What the copy is of is written into its document information, in the
revision the seal covers (`HolderNote`, under INFO_KEY), so the verifier can ask the registry
whether the certificate is in force and the share link still is (docs/holder-control.md).
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from registry.chinatime import china_date
from verify.registered import CertificateView
from verify.report import Finding, Verdict
from verify.rules import RuleId
from verify.share_terms import ShareState, annotation, last_day, state_of
from verify.text import Text

if TYPE_CHECKING:  # offline verification never loads SQLAlchemy
    from registry.db import Registry

INFO_KEY = "/TitlecertHolderCopy"
"""The document-information entry holding the copy's HolderNote (JSON)."""


@dataclass(frozen=True)
class HolderNote:
    """What an annotated copy is of, as its sealed document information states it."""

    certificate_no: str
    share_id: int
    purpose: str
    valid_until: dt.date
    """The share link's last China day: the copy's too."""
    made_at: dt.datetime
    original_sha256: str
    """SHA-256 of the revision the certificate's last seal signed (what the registry binds)."""

    @property
    def annotation(self) -> Text:
        return annotation(self.purpose, self.valid_until)

    def to_json(self) -> str:
        return json.dumps(
            {
                "certificate_no": self.certificate_no,
                "share_id": self.share_id,
                "purpose": self.purpose,
                "valid_until": self.valid_until.isoformat(),
                "made_at": self.made_at.isoformat(),
                "original_sha256": self.original_sha256,
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: str) -> "HolderNote | None":
        """The note `raw` states, or None when it is not one (a damaged or foreign entry)."""
        try:
            doc = json.loads(raw)
            return cls(
                str(doc["certificate_no"]),
                int(doc["share_id"]),
                str(doc["purpose"]),
                dt.date.fromisoformat(doc["valid_until"]),
                dt.datetime.fromisoformat(doc["made_at"]),
                str(doc["original_sha256"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class CopyFacts:
    """What the registry says of an annotated copy: its certificate, and its share link."""

    certificate: CertificateView | None
    """The certificate the note names, when the registry holds it with the sealed revision the
    note names (None: no such issued certificate)."""
    share: ShareState | None
    """The share link's state at the moment judged (None: no such link of that certificate)."""
    withdrawn_on: dt.date | None = None


def copy_facts(registry: "Registry", note: HolderNote, moment: dt.datetime) -> CopyFacts:
    with registry.transaction() as ledger:
        record = ledger.certificates.by_signed_sha256(note.original_sha256)
        if record is None or record.certificate_no != note.certificate_no:
            return CopyFacts(None, None)
        view = CertificateView.of(record)
        link = ledger.shares.by_id(note.share_id)
        if link is None or link.certificate_no != note.certificate_no or link.purpose != note.purpose:
            return CopyFacts(view, None)
        withdrawn = china_date(link.withdrawn_at) if link.withdrawn_at is not None else None
        if last_day(link.expires_at) != note.valid_until:
            return CopyFacts(view, None)
        return CopyFacts(view, state_of(link, moment), withdrawn)


def copy_findings(note: HolderNote | None, facts: CopyFacts | None, moment: dt.datetime) -> Iterator[Finding]:
    """What the report says of an annotated copy: what it is (a note), then whether it is one the
    registry knows and still in force. Offline (`facts` None) the copy's own last day is judged."""
    if note is None:
        yield Finding(
            RuleId.HOLDER_COPY_NOTE,
            Text(
                "这份持证人加注副本缺少它所属的证书和加注（文件信息中没有可读的记录）",
                "this annotated copy lacks the certificate and annotation it is of (no readable "
                "record in its document information)",
            ),
            Verdict.INVALID,
        )
        return
    note_text = note.annotation
    yield Finding(
        RuleId.HOLDER_COPY_NOTE,
        Text(
            f"这是证书 {note.certificate_no} 的持证人加注副本（{note_text.zh}），由查验服务于 "
            f"{china_date(note.made_at)} 制作并盖章；原证书（印章完整）作为附件附在文件中",
            f"this is a holder's annotated copy of certificate {note.certificate_no} ({note_text.en}), "
            f"made and sealed by the verification service on {china_date(note.made_at)}; the issued "
            "certificate, its seals intact, is attached to it",
        ),
    )
    if facts is not None and facts.certificate is None:
        yield Finding(
            RuleId.HOLDER_COPY_ORIGINAL,
            Text(
                f"登记库中没有这份副本所说的证书 {note.certificate_no}：它不是本站制作的副本",
                f"the registry holds no certificate {note.certificate_no} as this copy states: "
                "it was not made by this service",
            ),
            Verdict.INVALID,
        )
        return
    state = _state(note, facts, moment)
    if state is ShareState.WITHDRAWN:
        when = f" {facts.withdrawn_on}" if facts is not None and facts.withdrawn_on else ""
        said = Text(
            f"持证人已于{when}撤回这份加注：副本已失效",
            f"the holder withdrew this annotation{' on' + when if when else ''}: the copy is no longer valid",
        )
    elif state is ShareState.EXPIRED:
        said = Text(
            f"这份加注副本的有效期至 {note.valid_until}，已过期：请向持证人索取新的副本",
            f"this annotated copy was valid until {note.valid_until} and has expired: "
            "ask the holder for a new one",
        )
    elif state is None:
        said = Text(
            "登记库中没有这份副本所说的加注：它不是本站制作的副本",
            "the registry holds no such annotation: the copy was not made by this service",
        )
    else:
        return
    yield Finding(RuleId.HOLDER_COPY_IN_FORCE, said, Verdict.INVALID)


def _state(note: HolderNote, facts: CopyFacts | None, moment: dt.datetime) -> ShareState | None:
    if facts is not None:
        return facts.share
    return ShareState.ACTIVE if china_date(moment) <= note.valid_until else ShareState.EXPIRED


__all__ = ["INFO_KEY", "CopyFacts", "HolderNote", "copy_facts", "copy_findings"]
