"""R-ACCEPT per seal: ordered steps whose first failure is the seal's finding, each with the seal's
number and its ETSI EN 319 102-1 sub-indication (verify.indications), then whether the seal is the
one expected in its place. docs/verification.md lists the rules.
"""

import datetime as dt
from collections.abc import Callable, Iterator

from pyhanko.sign.ades.report import AdESIndeterminate
from pyhanko.sign.validation.status import SignatureCoverageLevel

from registry.chinatime import in_china
from signing.profiles import certification_permission
from signing.roles import ROLE_LABELS_ZH, Role
from verify.facts import FileFacts, SealFacts
from verify.indications import SubIndication
from verify.report import Finding, Verdict
from verify.rules import RuleId
from verify.text import Text

SealStep = Callable[[SealFacts, dt.datetime], Finding | None]

_UNDETERMINED = {
    AdESIndeterminate.TRY_LATER: SubIndication.TRY_LATER,
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE: SubIndication.REVOCATION_OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.REVOKED_NO_POE: SubIndication.REVOKED_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: SubIndication.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.NO_POE: SubIndication.NO_POE,
}
"""pyHanko's indications for a trust problem that leaves a seal undetermined, as ours."""

ASK_FOR_RENEWED = Text(
    "：请向签发机构索取重新加盖时间戳的文件",
    ": ask the issuer for the re-time-stamped copy",
)


def untrusted(number: int, signer: str) -> Text:
    """A seal whose certificate does not chain to an anchor (or whose chain cannot even be built)."""
    return Text(
        f"印章 {number}（{signer}）不是由受信任的签发机构签发的",
        f"seal {number} ({signer}) is not from a trusted issuer",
    )


# Each seal's validity is judged by steps in order, and the first that fails is the seal's
# finding: each presumes the ones before passed (trust means nothing for a broken signature, a
# trust verdict is only "undetermined" for a certificate still current, and so on).


def seal_intact(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    if seal.report.intact and seal.report.valid:
        return None
    why = SubIndication.SIG_CRYPTO_FAILURE if seal.report.intact else SubIndication.HASH_FAILURE
    return Finding(
        RuleId.ACCEPT_SEAL_INTACT,
        Text(
            f"印章 {seal.number} 已损坏：所签内容被改动，或签名本身无效",
            f"seal {seal.number} is broken: the signed bytes were altered or the signature is bad",
        ),
        Verdict.INVALID,
        seal.number,
        why,
    )


def seal_not_revoked(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    details = seal.status.revocation_details
    if not seal.status.revoked or details is None:
        return None
    whose = "a certificate above its certificate" if details.ca_revoked else "its certificate"
    whose_zh = "其上级证书" if details.ca_revoked else "其证书"
    when = in_china(details.revocation_date)
    return Finding(
        RuleId.ACCEPT_SEAL_NOT_REVOKED,
        Text(
            f"印章 {seal.number}（{seal.report.signer}）是在{whose_zh}被撤销之后加盖的"
            f"（撤销于北京时间 {when:%Y-%m-%d %H:%M}）",
            f"seal {seal.number} ({seal.report.signer}) was made after {whose} was revoked "
            f"on {details.revocation_date:%Y-%m-%d %H:%M} UTC ({details.revocation_reason.native})",
        ),
        Verdict.INVALID,
        seal.number,
        SubIndication.REVOKED,
    )


def seal_certificate_current(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    validated_at = seal.report.validated_at
    cert = seal.status.signing_cert
    if seal.report.trusted or validated_at is None:
        return None
    if cert.not_valid_after >= dt.datetime.fromisoformat(validated_at):
        return None
    expired = f"{cert.not_valid_after:%Y-%m-%d}"
    return Finding(
        RuleId.ACCEPT_SEAL_CERTIFICATE_CURRENT,
        Text(
            f"印章 {seal.number} 的证书已于 {expired} 过期，文件中也没有时间戳证明印章加盖在此之前：无法确认",
            f"seal {seal.number}'s certificate expired on {expired} and the file carries no time stamp "
            "proving the seal was made before: it cannot be confirmed",
        ),
        Verdict.INDETERMINATE,
        seal.number,
        SubIndication.OUT_OF_BOUNDS_NO_POE,
    )


def seal_revocation_known(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    if seal.report.trusted or seal.status.trust_problem_indic not in _UNDETERMINED:
        return None
    return Finding(
        RuleId.ACCEPT_SEAL_REVOCATION_KNOWN,
        Text(
            f"无法从文件中确定印章 {seal.number} 的证书状态：吊销信息缺失或已过时",
            f"seal {seal.number}'s certificate status cannot be established from the file: "
            "revocation information is missing or out of date",
        ),
        Verdict.INDETERMINATE,
        seal.number,
        _UNDETERMINED[seal.status.trust_problem_indic],
    )


def seal_trusted(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    if seal.report.trusted:
        return None
    return Finding(
        RuleId.ACCEPT_SEAL_TRUSTED,
        untrusted(seal.number, seal.report.signer),
        Verdict.INVALID,
        seal.number,
        SubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    )


def seal_timestamp_current(seal: SealFacts, moment: dt.datetime) -> Finding | None:
    """A seal time stamp that validates but whose certificate expired before the moment judged,
    with no document time stamp vouching for it."""
    ts = seal.status.timestamp_validity
    if (
        ts is None
        or seal.report.timestamp is not None
        or not (ts.intact and ts.valid)
        or ts.signing_cert is None
        or ts.signing_cert.not_valid_after >= moment
    ):
        return None
    expired = f"{ts.signing_cert.not_valid_after:%Y-%m-%d}"
    said = Text(
        f"印章 {seal.number} 的时间戳证书已于 {expired} 过期，且没有文档时间戳覆盖它",
        f"seal {seal.number}'s time stamp certificate expired on {expired} "
        "and no document time stamp covers it",
    )
    return Finding(
        RuleId.ACCEPT_SEAL_TIMESTAMP_CURRENT,
        said + ASK_FOR_RENEWED,
        Verdict.INDETERMINATE,
        seal.number,
        SubIndication.NO_POE,
    )


def seal_timestamp_trusted(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    if seal.status.timestamp_validity is None or seal.report.timestamp is not None:
        return None
    return Finding(
        RuleId.ACCEPT_SEAL_TIMESTAMP_TRUSTED,
        Text(
            f"印章 {seal.number} 的时间戳已损坏，或不是由受信任的时间戳机构签发的",
            f"seal {seal.number}'s time stamp is broken or not from a trusted time-stamping authority",
        ),
        Verdict.INVALID,
        seal.number,
        SubIndication.NO_POE,
    )


def seal_covers_revision(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    if seal.status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION:
        return None
    return Finding(
        RuleId.ACCEPT_SEAL_COVERS_REVISION,
        Text(
            f"印章 {seal.number} 没有覆盖文档的一个完整修订版本",
            f"seal {seal.number} does not cover a whole revision of the document",
        ),
        Verdict.INVALID,
        seal.number,
        SubIndication.FORMAT_FAILURE,
    )


def seal_passes(seal: SealFacts, _moment: dt.datetime) -> Finding | None:
    if seal.status.bottom_line:
        return None
    return Finding(
        RuleId.ACCEPT_SEAL_PASSES,
        Text(
            f"印章 {seal.number} 未通过验证：其后对文件的修改超出了它所允许的范围",
            f"seal {seal.number} does not pass validation: "
            "the file was changed after it beyond what it allows",
        ),
        Verdict.MODIFIED,
        seal.number,  # the seal itself is sound (PASSED): the change is the file's
    )


SEAL_STEPS: tuple[SealStep, ...] = (
    seal_intact,
    seal_not_revoked,
    seal_certificate_current,
    seal_revocation_known,
    seal_trusted,
    seal_timestamp_current,
    seal_timestamp_trusted,
    seal_covers_revision,
    seal_passes,
)


def each_seal(facts: FileFacts) -> Iterator[Finding]:
    """Per seal: the first failing step of SEAL_STEPS; for a seal that passes them, whether it is the
    one expected there (the role of a broken or untrusted seal's certificate is not established)."""
    for seal in facts.seals:
        failed = next((f for step in SEAL_STEPS if (f := step(seal, facts.moment)) is not None), None)
        if failed is not None:
            yield failed
        if failed is None or failed.sub_indication is None:  # whose seal it is means nothing otherwise
            yield from seal_expected(seal, facts.plan)


def seal_expected(seal: SealFacts, plan: tuple[Role, ...]) -> Iterator[Finding]:
    """The n-th seal is by the n-th role of the file's plan, with that role's signature type."""
    if seal.number > len(plan):
        yield Finding(
            RuleId.ACCEPT_SEAL_EXPECTED,
            Text(
                f"印章 {seal.number}（{seal.report.signer}）是多余的：这类文件只有 {len(plan)} 个印章",
                f"seal {seal.number} ({seal.report.signer}) is unexpected",
            ),
            Verdict.INVALID,
            seal.number,
            SubIndication.SIG_CONSTRAINTS_FAILURE,
        )
        return
    want = plan[seal.number - 1]
    if seal.report.role != want.value:
        held = "no recognised role" if seal.report.role is None else seal.report.role
        held_zh = (
            "不属于任何已识别的角色" if seal.report.role is None else f"属于{ROLE_LABELS_ZH[Role(held)]}"
        )
        yield Finding(
            RuleId.ACCEPT_SEAL_ROLE,
            Text(
                f"印章 {seal.number} 应为{ROLE_LABELS_ZH[want]}的印章，而其证书{held_zh}",
                f"seal {seal.number} must be the {want.value}'s; its certificate holds {held}",
            ),
            Verdict.INVALID,
            seal.number,
            SubIndication.CHAIN_CONSTRAINTS_FAILURE,
        )
    if seal.docmdp != certification_permission(want, plan):
        yield Finding(
            RuleId.ACCEPT_SEAL_TYPE,
            _report_type_wrong(seal.number) if want is Role.VERIFIER else _document_type_wrong(seal.number),
            Verdict.INVALID,
            seal.number,
            SubIndication.SIG_CONSTRAINTS_FAILURE,
        )


def _document_type_wrong(number: int) -> Text:
    return Text(
        f"印章 {number} 的签名类型不对：评委会的印章须为认证签名，锁定文件、只允许填表和签章"
        "（DocMDP P=2）；核准机构的印章不得为认证签名",
        f"seal {number} has the wrong signature type: the committee's must certify the document "
        "allowing only form filling and signing (DocMDP P=2), the authority's must not certify",
    )


def _report_type_wrong(number: int) -> Text:
    return Text(
        f"印章 {number} 的签名类型不对：查验服务的印章须为不允许任何修改的认证签名（DocMDP P=1）",
        f"seal {number} has the wrong signature type: the verification service's must certify "
        "the report allowing no change (DocMDP P=1)",
    )
