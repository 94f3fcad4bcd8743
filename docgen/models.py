"""The review session and what a certificate shows (frozen, typed)."""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class IdType(StrEnum):
    """ID document types the notice accepts (DOMAIN.md §7)."""

    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    HM_HOME_VISIT_PERMIT = "hm_home_visit_permit"
    TAIWAN_COMPATRIOT_PERMIT = "taiwan_compatriot_permit"
    FOREIGN_PERMANENT_RESIDENT_2023 = "foreign_permanent_resident_2023"
    FOREIGN_PERMANENT_RESIDENT_2017 = "foreign_permanent_resident_2017"
    PASSPORT = "passport"


ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
    IdType.HM_HOME_VISIT_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_COMPATRIOT_PERMIT: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PERMANENT_RESIDENT_2023: "外国人永久居留身份证",
    IdType.FOREIGN_PERMANENT_RESIDENT_2017: "外国人永久居留身份证",
    IdType.PASSPORT: "护照",
}


@dataclass(frozen=True)
class Committee:
    """The review committee (评委会)."""

    name: str
    """Full name, e.g. 重庆市工程技术大数据智能化专业高级职称评审委员会."""
    series: str
    """The title series it reviews, e.g. 工程技术."""
    members: int
    """Membership N, for the quorum."""


@dataclass(frozen=True)
class Sitting:
    """The review meeting."""

    start: dt.date
    end: dt.date
    """The day the committee passed the candidates (取得时间)."""
    present: int
    """Attending members P."""


@dataclass(frozen=True)
class Approval:
    """The approval authority's confirmation (职称资格确认通知)."""

    authority: str
    """核准机构, e.g. 重庆市职称改革办公室."""
    authority_credit_code: str
    """The authority's unified social credit code (issuer code of the e-licence identifier)."""
    document_no: str
    """批准文号, e.g. 渝职改办〔2026〕12号."""
    date: dt.date
    """Date the notice was issued (发证时间)."""


@dataclass(frozen=True)
class Vote:
    """The secret ballot on one applicant."""

    agree: int
    disagree: int
    abstain: int


@dataclass(frozen=True)
class Applicant:
    """One applicant, as far as the certificate needs."""

    row: int
    """Zero-based position in the input, for messages."""
    name: str
    sex: str
    """男 or 女."""
    birth_date: dt.date
    id_type: IdType
    id_number: str
    """Normalised (upper case, no separators)."""
    employer: str
    speciality: str
    title: str
    """资格名称, e.g. 高级工程师."""
    level: str
    """正高级 / 副高级 / 中级 / 助理级 / 员级."""
    vote: Vote
    photo: Path | None = None
    """Photo file (JPEG/PNG), or None when the input has none."""


@dataclass(frozen=True)
class ReviewSession:
    """One review session: committee, sitting, approval and applicants."""

    source: Path
    committee: Committee
    sitting: Sitting
    approval: Approval
    applicants: tuple[Applicant, ...]


@dataclass(frozen=True)
class CertificateData:
    """Every value printed on one electronic title certificate (DOMAIN.md §1.3)."""

    certificate_no: str
    licence_id: str
    """National e-licence identifier (GB/T 36904)."""
    name: str
    sex: str
    birth: str
    """出生年月, e.g. 1985年06月."""
    id_type: str
    id_number: str
    employer: str
    series: str
    speciality: str
    title: str
    level: str
    obtained_by: str
    """取得方式, e.g. 评审."""
    passed_on: dt.date
    committee: str
    approval_no: str
    issued_on: dt.date
    authority: str
    verify_url: str
    """What the QR code encodes."""
    verify_domain: str
    """The official verification site printed as text."""
    photo: Path | None = None
