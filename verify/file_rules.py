"""The rules judged on a file's facts: R-ACCEPT, the long-term rules and R-AUDIT.

Each rule is a function of verify.facts.FileFacts yielding findings that name it (verify.rules),
each said in Chinese and English; FILE_RULES runs them in the order their findings are reported.
docs/verification.md lists them.
"""

from collections.abc import Callable, Iterator

from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel

from signing.profiles import COMMITTEE_SEALS, RECEIPT_SEALS, certification_permission
from verify.facts import FileFacts
from verify.report import Finding, Verdict
from verify.rules import RuleId
from verify.seal_rules import ASK_FOR_RENEWED, each_seal
from verify.statement import Statement
from verify.text import Text

FileRule = Callable[[FileFacts], Iterator[Finding]]


def seal_count(facts: FileFacts) -> Iterator[Finding]:
    """Exactly the seals of the file's plan: the committee's, then the authority's (a verification
    report: the verification service's alone)."""
    want, found = len(facts.plan), len(facts.seals)
    if found != want:
        which = (
            Text("仅查验服务", "the verification service's alone")
            if facts.plan == RECEIPT_SEALS
            else Text("仅评委会", "the committee's alone")
            if facts.plan == COMMITTEE_SEALS
            else Text("先评委会、后核准机构", "committee, then authority")
        )
        yield Finding(
            RuleId.ACCEPT_SEAL_COUNT,
            Text(
                f"应有且仅有 {want} 个电子印章（{which.zh}），实有 {found} 个",
                f"expected exactly {want} seals ({which.en}), found {found}",
            ),
            Verdict.INVALID,
        )


def _level(status: PdfSignatureStatus) -> ModificationLevel:
    return status.modification_level if status.modification_level is not None else ModificationLevel.OTHER


def certification_holds(facts: FileFacts) -> Iterator[Finding]:
    """The first seal's certification still holds: since the committee's (DocMDP P=2) at most form
    filling and signing; since a sole certification (P=1: a verification report's, a document of the
    committee's own) nothing but long-term validation data."""
    if not facts.seals:
        return
    first = facts.seals[0].status
    receipt = facts.plan == RECEIPT_SEALS
    sole = certification_permission(facts.plan[0], facts.plan) is MDPPerm.NO_CHANGES  # P=1
    allowed = ModificationLevel.LTA_UPDATES if sole else ModificationLevel.FORM_FILLING
    if first.docmdp_ok is not True or _level(first) > allowed:
        yield Finding(
            RuleId.ACCEPT_CERTIFICATION_HOLDS,
            Text(
                "查验服务制作这份持证人加注副本之后，副本被修改过：它所记载的内容不可信",
                "the annotated copy was changed after the verification service made it: "
                "what it states cannot be relied on",
            )
            if receipt and facts.holder_copy is not None
            else Text(
                "查验服务出具这份验证报告之后，报告被修改过：它所记载的内容不可信",
                "the verification report was changed after the verification service issued it: "
                "what it states cannot be relied on",
            )
            if receipt
            else Text(
                "评委会认证文件之后，文件被修改，超出了认证所允许的范围",
                "the document was changed after the committee certified it, "
                "beyond what its certification allows",
            ),
            Verdict.MODIFIED,
        )


def last_seal_covers_file(facts: FileFacts) -> Iterator[Finding]:
    """The last seal covers the whole file, or everything after it is long-term validation material
    (the document security store and document time stamps: PAdES B-LT/B-LTA, or a reader's "add
    verification information"). pyHanko's LTA_UPDATES lets more through (docs/verification-threats.md,
    "What pyHanko's own validation lets through"), so verify.tail checks each later object."""
    if not facts.seals:
        return
    last = facts.seals[-1].status
    lta_only = (
        last.coverage is SignatureCoverageLevel.ENTIRE_REVISION
        and _level(last) <= ModificationLevel.LTA_UPDATES
        and not facts.tail
    )
    if last.coverage is not SignatureCoverageLevel.ENTIRE_FILE and not lta_only:
        yield Finding(
            RuleId.ACCEPT_LAST_SEAL_COVERS_FILE,
            Text(
                "最后一个印章没有覆盖整个文件：其后又加入了数据",
                "the last seal does not cover the whole file: data was added after it",
            ),
            Verdict.MODIFIED,
        )


def only_validation_data_after(facts: FileFacts) -> Iterator[Finding]:
    """Each object written after the last seal that is not validation data (verify.tail)."""
    if facts.seals:
        for finding in facts.tail:
            yield Finding(RuleId.ACCEPT_ONLY_VALIDATION_DATA_AFTER, finding, Verdict.MODIFIED)


def stamps_after_seals(facts: FileFacts) -> Iterator[Finding]:
    if facts.seals and facts.stamps_before_seals:
        yield Finding(
            RuleId.LONGTERM_STAMPS_AFTER_SEALS,
            Text("有文档时间戳位于印章之前", "a document time stamp comes before the seals"),
            Verdict.INVALID,
        )


def stamps_valid(facts: FileFacts) -> Iterator[Finding]:
    if facts.seals:
        for problem in facts.timeline.problems:
            yield Finding(RuleId.LONGTERM_STAMP_VALID, problem, Verdict.INVALID)


def stamps_current(facts: FileFacts) -> Iterator[Finding]:
    if facts.seals:
        for problem in facts.timeline.expired:
            yield Finding(RuleId.LONGTERM_STAMP_CURRENT, problem + ASK_FOR_RENEWED, Verdict.INDETERMINATE)


def later_stamps(facts: FileFacts) -> Iterator[Finding]:
    """A note: document time stamps made after the moment judged are no evidence as of then."""
    if facts.seals and facts.timeline.ignored:
        n, day = facts.timeline.ignored, f"{facts.moment:%Y-%m-%d}"
        yield Finding(
            RuleId.LONGTERM_LATER_STAMPS,
            Text(
                f"有 {n} 个在 {day} 之后加盖的文档时间戳未予考虑",
                f"{n} document time stamp(s) made after {day} were not considered",
            ),
        )


def no_form_fields(facts: FileFacts) -> Iterator[Finding]:
    if facts.form_fields:
        yield Finding(
            RuleId.ACCEPT_NO_FORM_FIELDS,
            Text(
                f"文件含有可填写的表单字段：{'、'.join(facts.form_fields)}",
                f"the document has interactive form fields: {', '.join(facts.form_fields)}",
            ),
            Verdict.MODIFIED,
        )


def revision_audit(facts: FileFacts) -> Iterator[Finding]:
    for finding in facts.revision_audit:
        yield Finding(
            RuleId.AUDIT_REVISIONS,
            Text(
                "修订审查：",
                "revision audit: ",
            )
            + finding,
            Verdict.MODIFIED,
        )


def receipt_states(facts: FileFacts) -> Iterator[Finding]:
    """A verification report states what it verified (verify.statement), readably."""
    if facts.plan != RECEIPT_SEALS or facts.holder_copy is not None:  # a copy's note: verify.holder_copies
        return
    if Statement.from_json(facts.statement or "") is None:
        yield Finding(
            RuleId.RECEIPT_STATEMENT,
            Text(
                "这份验证报告缺少它所记载的查验结果（文件信息中没有可读的查验记录）",
                "this verification report lacks the outcome it states (no readable statement in its "
                "document information)",
            ),
            Verdict.INVALID,
        )


FILE_RULES: tuple[FileRule, ...] = (
    seal_count,
    each_seal,
    certification_holds,
    last_seal_covers_file,
    only_validation_data_after,
    stamps_after_seals,
    stamps_valid,
    stamps_current,
    later_stamps,
    no_form_fields,
    revision_audit,
    receipt_states,
)
