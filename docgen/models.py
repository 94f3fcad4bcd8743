"""The review session and what a certificate shows.

Input models are pydantic (frozen, unknown keys rejected) so that the JSON Schema published in
docgen/schema/ is generated from the same definitions the loaders validate with. Every field
carries a description, which the schema and the Excel notes sheet repeat.
"""

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from docgen.chains import NO_EMPLOYER
from docgen.chains import REPORTING_CHAIN_LABELS as REPORTING_CHAIN_LABELS  # re-exported
from docgen.chains import ReportingChain as ReportingChain  # re-exported
from docgen.identity import IdType, check_id, credit_code_problem
from docgen.opinions import ExpertOpinion, FormFilledOn, Presiding, UnitOpinion
from docgen.routes import ROUTE_LABELS as ROUTE_LABELS  # re-exported
from docgen.routes import Route as Route  # re-exported
from docgen.text import clean_text, normalise_id

Text = Annotated[str, AfterValidator(clean_text), Field(min_length=1, max_length=200)]
"""A one-line text value: control characters removed, whitespace folded (see docgen.text)."""
IdNumber = Annotated[
    str, AfterValidator(clean_text), AfterValidator(normalise_id), Field(min_length=1, max_length=40)
]
LongText = Annotated[str, AfterValidator(clean_text), Field(max_length=5000)]
OptionalText = Annotated[str, AfterValidator(clean_text), Field(max_length=500)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


RULE_ERROR = "titlecert_rule"
"""Error type of our own checks; its message is shown as written."""


def _credit_code(value: str) -> str:
    if problem := credit_code_problem(value):
        raise PydanticCustomError(RULE_ERROR, "{message}", {"message": problem})
    return value


CreditCode = Annotated[str, AfterValidator(clean_text), AfterValidator(_credit_code)]


class Sex(StrEnum):
    MALE = "男"
    FEMALE = "女"


class Level(StrEnum):
    """Title levels (国家职称层级)."""

    FULL_SENIOR = "正高级"
    SENIOR = "副高级"
    INTERMEDIATE = "中级"
    ASSISTANT = "助理级"
    JUNIOR = "员级"


class AchievementCategory(StrEnum):
    """Evidence categories of the notice (§六(三))."""

    WORK_RESULT = "work_result"
    RESEARCH_PROJECT = "research_project"
    PAPER = "paper"
    BOOK = "book"
    TECHNICAL_REPORT = "technical_report"
    AWARD = "award"
    PATENT = "patent"
    SOFTWARE_COPYRIGHT = "software_copyright"
    STANDARD = "standard"


ACHIEVEMENT_LABELS: dict[AchievementCategory, str] = {
    AchievementCategory.WORK_RESULT: "工作业绩",
    AchievementCategory.RESEARCH_PROJECT: "科研项目（课题）",
    AchievementCategory.PAPER: "论文",
    AchievementCategory.BOOK: "著作",
    AchievementCategory.TECHNICAL_REPORT: "学术技术报告",
    AchievementCategory.AWARD: "获奖成果",
    AchievementCategory.PATENT: "专利",
    AchievementCategory.SOFTWARE_COPYRIGHT: "软件著作权",
    AchievementCategory.STANDARD: "标准规范",
}


class AssessmentResult(StrEnum):
    EXCELLENT = "优秀"
    COMPETENT = "合格"
    BASICALLY_COMPETENT = "基本合格"
    INCOMPETENT = "不合格"


class Committee(_Model):
    """The review committee (评委会)."""

    name: Text = Field(description="Full name, e.g. 重庆市工程技术大数据智能化专业高级职称评审委员会")
    series: Text = Field(description="Title series it reviews, e.g. 工程技术")
    speciality: Text = Field(description="Speciality it reviews, e.g. 大数据智能化")
    levels: tuple[Level, ...] = Field(min_length=1, description="Levels it may award")
    members: int = Field(ge=1, le=500, description="Membership N (for the 2/3 quorum)")
    organiser: Text = Field(description="The organising body (组建单位) whose office runs the session")
    address: Text = Field(description="Office address for written objections")
    phone: Text = Field(description="Office phone for objections")


class Sitting(_Model):
    """The review meeting."""

    start: dt.date = Field(description="First day of the meeting")
    end: dt.date = Field(description="Last day: the day candidates pass (取得时间)")
    present: int = Field(ge=1, description="Attending members P")
    location: OptionalText = Field(default="", description="Where the committee met")
    expert_pool: int | None = Field(
        default=None,
        ge=1,
        description="Size of the expert pool the members were drawn from (超员配置, 随机抽评)",
    )
    presiding: Presiding | None = Field(default=None, description="主持人, signs the result; empty: blank")


class Approval(_Model):
    """The approval authority's confirmation (职称资格确认通知)."""

    authority: Text = Field(description="核准机构, e.g. 重庆市职称改革办公室")
    authority_credit_code: CreditCode = Field(description="The authority's unified social credit code")
    document_no: Text = Field(description="批准文号, e.g. 渝职改办〔2026〕12号")
    date: dt.date = Field(description="Date the confirmation notice was issued (发证时间)")


class Period(_Model):
    """A publicity period, both days included."""

    start: dt.date
    end: dt.date


class Employer(_Model):
    """The applicant's employer, first level of the complaint channel; a freelancer has none."""

    name: Text
    credit_code: CreditCode = Field(description="Unified social credit code (GB 32100)")
    contact: Text = Field(description="Contact person for complaints during publicity")
    phone: Text


class Superior(_Model):
    """The next level of the reporting chain (主管部门 / 人事代理机构), second complaint contact."""

    name: Text
    contact: Text
    phone: Text


class Education(_Model):
    school: Text
    major: Text
    degree: Text = Field(description="学历, e.g. 本科, 硕士研究生")
    graduated_on: dt.date


class WorkRecord(_Model):
    start: dt.date
    end: dt.date | None = Field(default=None, description="Empty while still employed")
    employer: Text
    position: Text


class CurrentTitle(_Model):
    """The title held now (现职称)."""

    name: Text = Field(description="e.g. 工程师")
    level: Level
    obtained_on: dt.date
    obtained_by: Text = Field(description="评审 / 考试 / 认定 / 考核确定 / 确认")


class AppliedTitle(_Model):
    """The title applied for."""

    series: Text
    speciality: Text
    title: Text = Field(description="资格名称, e.g. 高级工程师")
    level: Level


class Achievement(_Model):
    """One piece of evidence since the current title."""

    category: AchievementCategory
    title: Text
    date: dt.date = Field(description="Date achieved, published, granted or awarded")
    role: Text = Field(description="Role or rank, e.g. 项目负责人, 第一作者, 排名第2")
    detail: OptionalText = ""


class Assessment(_Model):
    """An annual assessment (年度考核)."""

    year: int = Field(ge=1950, le=2100)
    result: AssessmentResult


class ContinuingEducation(_Model):
    year: int = Field(ge=1950, le=2100)
    hours: int = Field(ge=0, le=2000)


class Vote(_Model):
    """The secret ballot on one applicant: counts of the attending members' votes."""

    agree: int = Field(ge=0)
    disagree: int = Field(ge=0)
    abstain: int = Field(ge=0)


class EndingKind(StrEnum):
    """How an application ends other than by the vote (docs/domain.md, "How an application ends")."""

    TERMINATED = "terminated"
    """评审终止 (the notice, item 四(三)2): a complaint found true before the review, or fraud found
    true during it."""
    NOT_ACCEPTED = "not_accepted"
    """不予受理 (the notice, item 四(二)3(4)): refused by the committee's acceptance audit, e.g. still
    failing when submitted a third time after a return for correction."""
    WITHDRAWN_DEEMED = "withdrawn_deemed"
    """视为放弃申报 (the notice, items 四(二)3(1) and 四(二)3(4)): material returned for completion or
    correction was not sent back in time, by the employer's or the committee's deadline."""
    OBJECTION_UPHELD = "objection_upheld"
    """公示异议属实 (the notice, item 四(三)3): passed the vote, but an objection raised during the
    results publicity was found true, so the applicant is not put up for confirmation."""


ENDING_LABELS: dict[EndingKind, str] = {
    EndingKind.TERMINATED: "评审终止",
    EndingKind.NOT_ACCEPTED: "不予受理",
    EndingKind.WITHDRAWN_DEEMED: "视为放弃申报",
    EndingKind.OBJECTION_UPHELD: "公示异议属实",
}


class Ending(_Model):
    """An application that ended other than by the vote: no certificate and no review form."""

    kind: EndingKind
    decided_on: dt.date = Field(description="The day the committee (office) decided it")
    reason: Text = Field(description="Why, as recorded, e.g. 业绩材料弄虚作假，经查证属实")


class Delegation(_Model):
    """委托评审 (the notice, items 四(一)5, 四(三)3): the 委托评审函 of a superior with review authority."""

    unit: Text = Field(description="委托单位: the superior with title-review authority that wrote it")
    letter_no: Text = Field(description="委托评审函文号, e.g. 中建人函〔2025〕18号")
    letter_date: dt.date = Field(description="Date of the 委托评审函")


class Applicant(_Model):
    """One applicant."""

    name: Text
    sex: Sex
    birth_date: dt.date
    id_type: IdType
    id_number: IdNumber = Field(description="Upper case; spaces, hyphens and brackets are removed")
    photo: OptionalText = Field(default="", description="Photo file, relative to the session file")
    employer: Employer | None = Field(
        default=None,
        description="Required, but a freelancer (自由职业者) has none (the notice, item 四(一)4)",
    )
    reporting_chain: ReportingChain
    superior: Superior
    education: tuple[Education, ...] = Field(min_length=1)
    work_history: tuple[WorkRecord, ...] = Field(min_length=1)
    current_title: CurrentTitle | None = Field(default=None, description="Empty if none is held")
    applied: AppliedTitle
    route: Route = Route.NORMAL
    achievements: tuple[Achievement, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    continuing_education: tuple[ContinuingEducation, ...] = ()
    summary: LongText = Field(default="", description="专业技术工作总结: the applicant's work summary")
    publicity: Period = Field(description="Pre-review publicity at the employer (≥5 working days)")
    fee_paid_on: dt.date | None = Field(
        default=None, description="Day the review fee (评审费) was paid; empty: unpaid, so not reviewed"
    )
    vote: Vote | None = Field(
        default=None, description="The committee's vote; none when the application ended before it"
    )
    returns: int = Field(
        default=0, ge=0, le=3, description="Times returned for correction; a third still failing is 不予受理"
    )
    ending: Ending | None = Field(
        default=None, description="How the application ended other than by the vote; none for the vote"
    )
    delegation: Delegation | None = Field(
        default=None, description="委托评审函: held by every central_or_external applicant, by no other"
    )
    form_filled_on: FormFilledOn = None
    unit_opinion: UnitOpinion = ""
    expert_opinion: ExpertOpinion = ""

    @property
    def employer_name(self) -> str:
        """工作单位 as the documents print it."""
        return self.employer.name if self.employer is not None else NO_EMPLOYER

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str, info: ValidationInfo) -> str:
        id_type = info.data.get("id_type")
        if id_type is not None and (problem := check_id(id_type, value)):
            raise PydanticCustomError(RULE_ERROR, "{message}", {"message": problem})
        return value


class ReviewSession(_Model):
    """One review session: committee, sitting, approval and applicants."""

    committee: Committee
    sitting: Sitting
    approval: Approval
    cutoff: dt.date | None = Field(
        default=None, description="Work time is counted to this day; default 31 Dec of the sitting's year"
    )
    results_publicity: Period | None = Field(default=None, description="评审结果公示 (≥5 working days)")
    report_submitted_on: dt.date | None = Field(
        default=None, description="评审情况报告 sent (≤5 working days)"
    )
    draft_notice_submitted_on: dt.date | None = Field(
        default=None, description="代拟职称资格确认通知 sent (≤15 working days after the results publicity)"
    )
    applicants: tuple[Applicant, ...] = Field(min_length=1)

    @property
    def cutoff_date(self) -> dt.date:
        return self.cutoff or dt.date(self.sitting.start.year, 12, 31)


class LoadedSession(_Model):
    """A validated session with where it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    source: Path
    session: ReviewSession
    warnings: tuple[str, ...] = ()


class CertificateData(_Model):
    """Every value printed on one electronic title certificate (docs/domain.md, "What a certificate
    prints")."""

    certificate_no: str
    licence_id: str = Field(description="National e-licence identifier (GB/T 36904)")
    name: str
    sex: str
    birth: str = Field(description="出生年月, e.g. 1985年06月")
    id_type: str
    id_number: str
    employer: str
    series: str
    speciality: str
    title: str
    level: str
    obtained_by: str = Field(description="取得方式, e.g. 评审")
    passed_on: dt.date
    committee: str
    approval_no: str
    issued_on: dt.date
    authority: str
    verify_url: str = Field(description="What the QR code encodes")
    verification_code: str = Field(
        description="在线验证码: the QR's token grouped for typing on the verify site's home page"
    )
    verify_domain: str = Field(description="The official verification site printed as text")
    photo: Path | None = None
