"""What a verification report states: one verification as its reader saw it (学信网's 在线验证报告,
DSS's validation report), kept in three places that must agree: signed into the page's download
form (so the report says what the page said, not what a visitor posts), written into the sealed
report PDF's document information (so the site can say what a genuine report states), and printed
on its page.

The statement says what was found at `verified_at`; it is not the certificate's status at a later
day, which a new verification shows.
"""

import datetime as dt
import json
import secrets
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, ValidationError

from registry.chinatime import china_date
from verify.registered import CertificateView, Status
from verify.text import Text
from verify.wording import CASE_WORDS, Case, beijing, lookup_headline

INFO_KEY = "/TitlecertStatement"
"""The document-information entry of a report PDF that holds its statement as JSON."""
MAX_STATEMENT_BYTES = 16 * 1024


class Via(StrEnum):
    """How the verification the report states was made."""

    SCAN = "scan"
    """The certificate's scan page: its QR code, or its number and verification code typed."""
    UPLOAD = "upload"
    """A file uploaded and analysed."""


VIA_WORDS: dict[Via, Text] = {
    Via.SCAN: Text(
        "查询登记库（扫描二维码或输入证书编号和验证码）", "registry lookup (QR code or typed code)"
    ),
    Via.UPLOAD: Text(
        "上传文件，查验其电子印章并查询登记库", "file uploaded: its seals checked, the registry asked"
    ),
}


class SealLine(BaseModel):
    """One seal of an uploaded file, as the report prints it."""

    model_config = ConfigDict(frozen=True)

    title: Text
    indication: str
    """ETSI EN 319 102-1: PASSED, FAILED or INDETERMINATE, with its sub-indication if any."""
    meaning: Text
    proven_time: Text


class Statement(BaseModel):
    """One verification's outcome, facts as fields (masked as the public pages mask them)."""

    model_config = ConfigDict(frozen=True)

    number: str
    """The report's own number, e.g. `YZ20261203-8F3KQ2MA` (unique, not guessable)."""
    verified_at: dt.datetime
    """When the verification was made (UTC)."""
    via: Via
    outcome: Case
    headline: Text
    certificate: CertificateView | None = None
    """The registered certificate the verification found (masked), if any."""
    document: str | None = None
    """For a review-form copy: its kind, number and copy."""
    file_name: str | None = None
    """The uploaded file's name as given (up to 120 characters)."""
    file_sha256: str | None = None
    """SHA-256 of the uploaded file: which file this report is about."""
    seals: tuple[SealLine, ...] = ()

    @property
    def outcome_words(self) -> Text:
        return CASE_WORDS[self.outcome]

    @property
    def when(self) -> Text:
        """`verified_at` in Beijing time with the zone written."""
        return beijing(self.verified_at) or Text("", "")

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Statement | None":
        """The statement `raw` holds, or None for anything that is not one."""
        if len(raw) > MAX_STATEMENT_BYTES:
            return None
        try:
            return cls.model_validate_json(raw)
        except (ValidationError, ValueError):
            return None

    @classmethod
    def of_lookup(
        cls, view: CertificateView, *, at: dt.datetime | None = None, number: str | None = None
    ) -> "Statement":
        """What a certificate's scan page said: the registry's word on it (numbered `number`, or a
        new number)."""
        at = at or dt.datetime.now(dt.UTC)
        return cls(
            number=number or new_number(at),
            verified_at=at,
            via=Via.SCAN,
            outcome=_LOOKUP_CASES[view.status],
            headline=lookup_headline(view),
            certificate=view,
        )


_LOOKUP_CASES = {
    Status.VALID: Case.GENUINE,
    Status.REVOKED: Case.REVOKED,
    Status.SUPERSEDED: Case.SUPERSEDED,
    Status.SUSPENDED: Case.SUSPENDED,
    Status.UNKNOWN: Case.UNCONFIRMED,
}


def new_number(now: dt.datetime | None = None) -> str:
    """`YZ` (验证), the Beijing date, and eight random characters of an alphabet without 0/O, 1/I."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters: a byte's low 5 bits pick one evenly
    tail = "".join(alphabet[b & 31] for b in secrets.token_bytes(8))
    return f"YZ{china_date(now or dt.datetime.now(dt.UTC)):%Y%m%d}-{tail}"


def receipt_headline(statement: Statement) -> Text:
    """What a genuine receipt means for whoever holds it now."""
    subject = (
        Text(
            f"证书 {statement.certificate.certificate_no}",
            f"certificate {statement.certificate.certificate_no}",
        )
        if statement.certificate
        else Text("所上传的文件", "the file uploaded")
    )
    said = statement.outcome_words
    return Text(
        f"这是本站查验服务于 {statement.when.zh} 出具的验证报告（编号 {statement.number}），印章真实，"
        f"出具后未被改动。它记载：当时对{subject.zh}的查验结论为「{said.zh}」。"
        "报告只证明当时的结果；证书现在的状态请扫描证书二维码或输入证书编号再查。",
        f"This is a verification receipt issued by this site's verification service on {statement.when.en} "
        f"(number {statement.number}): its seal is genuine and it is unchanged since. It states that "
        f'{subject.en} was then found: "{said.en}". It proves that result only; verify the '
        "certificate again for its status today.",
    )


def statement_info(statement: Statement) -> str:
    """The JSON the report PDF's document information holds (ASCII, so any PDF string can carry it)."""
    return json.dumps(statement.model_dump(mode="json"), ensure_ascii=True, separators=(",", ":"))


__all__ = [
    "INFO_KEY",
    "SealLine",
    "Statement",
    "VIA_WORDS",
    "Via",
    "new_number",
    "receipt_headline",
    "statement_info",
]
