"""The registry binding: is this file one that was issued, and is its certificate in force?

The registry is asked for the file's fingerprint, then for the fingerprint of the revision the
last seal signed, which the analysis gives only when verify.tail found nothing but validation data
and document time stamps after it (so a re-time-stamped archive copy stays bound). The facts are
gathered once (`RegistryFacts.look_up`); each rule below turns them into findings.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from registry.chinatime import china_date
from verify.checks import Analysis
from verify.registered import CertificateView, Status
from verify.report import Finding, Verdict
from verify.rules import RuleId
from verify.text import Text

if TYPE_CHECKING:  # offline verification never loads SQLAlchemy
    from registry.db import Registry


@dataclass(frozen=True)
class RegistryFacts:
    """What the registry says of one file."""

    consulted: bool
    """False when verified offline, with the trust anchors alone."""
    certificate: CertificateView | None = None
    """The certificate the file is, or whose award the file (a review-form copy) belongs to."""
    document: str | None = None
    """For a sealed document other than a certificate: its kind, number and copy (a document of
    the committee's own belongs to no award: it has no certificate)."""
    void: bool = False
    """The file is a printed copy recorded lost (and so replaced)."""
    by_sealed_revision: bool = False
    """Found by the revision the last seal signed, not the whole file: data was added after issue."""

    @classmethod
    def look_up(cls, registry: "Registry", sha256: str, analysis: Analysis) -> "RegistryFacts":
        bindable = analysis.verdict in (Verdict.VALID, Verdict.INDETERMINATE) and analysis.signed_sha256
        by_revision, label, void = False, None, False
        with registry.transaction() as ledger:
            certificates = ledger.certificates
            record = certificates.by_sha256(sha256)
            document = None if record else certificates.document_by_sha256(sha256)
            if record is None and document is None and bindable:
                signed = str(analysis.signed_sha256)
                record = certificates.by_signed_sha256(signed)
                document = None if record else certificates.document_by_signed_sha256(signed)
                by_revision = record is not None or document is not None
            if document is not None:  # a review-form copy: the award's certificate gives the status
                label = f"{document.kind} {document.number}" + (
                    f" ({document.copy})" if document.copy else ""
                )
                record = certificates.by_number(document.certificate_no) if document.certificate_no else None
                void = ledger.paper.is_void(document.id)
            view = CertificateView.of(record) if record else None
        return cls(True, view, label, void, by_revision)


BindingRule = Callable[[RegistryFacts, Analysis], Iterator[Finding]]


def offline(facts: RegistryFacts, analysis: Analysis) -> Iterator[Finding]:
    """Notes: without the registry the status is unknown, and a file without validation data had
    its seal certificates' revocation checked by nobody."""
    if facts.consulted:
        return
    yield Finding(
        RuleId.REGISTRY_OFFLINE,
        Text("未查询登记库：证书状态未知", "the registry was not consulted: status unknown"),
    )
    if analysis.signatures and not any(s.revocation_checked for s in analysis.signatures):
        yield Finding(
            RuleId.REGISTRY_REVOCATION_UNCHECKED,
            Text(
                "未检查印章证书是否被吊销：文件不含验证数据（PAdES B-B/B-T）；联网查验（查询登记库）"
                "可确认该文件是否签发",
                "the seal certificates' revocation was not checked: the file carries no validation data "
                "(PAdES B-B/B-T); online verification, with the registry, shows whether it was issued",
            ),
        )


def sealed_revision(facts: RegistryFacts, _analysis: Analysis) -> Iterator[Finding]:
    if facts.by_sealed_revision:
        yield Finding(
            RuleId.REGISTRY_SEALED_REVISION,
            Text(
                "签发之后文件中加入了验证数据或时间戳；盖章的内容就是签发时的内容",
                "validation data or time stamps were added after issue; the sealed content is the one issued",
            ),
        )


def issued(facts: RegistryFacts, analysis: Analysis) -> Iterator[Finding]:
    """A file the registry does not know was never issued: a sound file so made is invalid; for a
    file already modified or invalid it is said, and changes nothing. A registered document of no
    award (the committee's draft confirmation notice, a result letter) is issued without a
    certificate."""
    known = facts.certificate is not None or facts.document is not None
    if not facts.consulted or known or analysis.verdict is Verdict.MALFORMED:
        return
    sound = analysis.verdict in (Verdict.VALID, Verdict.INDETERMINATE)
    yield Finding(
        RuleId.REGISTRY_ISSUED,
        Text(
            "这份文件从未签发过：登记库中没有它的指纹",
            "this exact file was never issued: its fingerprint is not in the registry",
        ),
        Verdict.INVALID if sound else None,
    )


def copy_not_void(facts: RegistryFacts, _analysis: Analysis) -> Iterator[Finding]:
    if facts.certificate is not None and facts.void:
        yield Finding(
            RuleId.REGISTRY_COPY_NOT_VOID,
            Text(
                f"这份纸质副本（{facts.document}）已登记遗失，已作废（补发的副本有新的副本编号）",
                f"this printed copy ({facts.document}) was reported lost: it is void "
                "(its replacement carries a new copy number)",
            ),
            Verdict.INVALID,
        )


def in_force(facts: RegistryFacts, _analysis: Analysis) -> Iterator[Finding]:
    """The certificate is valid: not revoked, not suspended, not superseded by a re-issue."""
    view = facts.certificate
    if view is None or view.status is Status.VALID:
        return
    when = f" on {china_date(view.status_changed_at)}" if view.status_changed_at else ""
    when_zh = f"已于 {china_date(view.status_changed_at)} " if view.status_changed_at else ""
    if view.status is Status.REVOKED:
        yield Finding(
            RuleId.REGISTRY_NOT_REVOKED,
            Text(
                f"证书 {view.certificate_no} {when_zh}被撤销：{view.status_reason}",
                f"certificate {view.certificate_no} was revoked{when}: {view.status_reason}",
            ),
            Verdict.INVALID,
        )
    elif view.status is Status.SUSPENDED:
        yield Finding(
            RuleId.REGISTRY_NOT_SUSPENDED,
            Text(
                f"证书 {view.certificate_no} {when_zh}暂停使用（调查中）：{view.status_reason}",
                f"certificate {view.certificate_no} was suspended (under investigation){when}: "
                f"{view.status_reason}",
            ),
            Verdict.INVALID,
        )
    elif view.status is Status.SUPERSEDED:
        why = f" ({view.status_reason})" if view.status_reason else ""
        why_zh = f"（{view.status_reason}）" if view.status_reason else ""
        new = view.superseded_by
        yield Finding(
            RuleId.REGISTRY_NOT_SUPERSEDED,
            Text(
                f"证书 {view.certificate_no} {when_zh}被证书 {new} 替代{why_zh}："
                f"已不能再使用，请查验证书 {new}",
                f"certificate {view.certificate_no} was superseded{when} by certificate {new}"
                f"{why}: it is no longer valid for use; verify certificate {new} instead",
            ),
            Verdict.INVALID,
        )
    else:
        yield Finding(
            RuleId.REGISTRY_IN_FORCE,
            Text(
                f"证书 {view.certificate_no} 的状态为 {view.status.value}，不是有效",
                f"certificate {view.certificate_no} is {view.status.value}",
            ),
            Verdict.INVALID,
        )


BINDING_RULES: tuple[BindingRule, ...] = (offline, sealed_revision, issued, copy_not_void, in_force)


def bind(facts: RegistryFacts, analysis: Analysis) -> Iterator[Finding]:
    """Every finding of the binding rules, in order."""
    for rule in BINDING_RULES:
        yield from rule(facts, analysis)


__all__ = ["BINDING_RULES", "RegistryFacts", "bind"]
