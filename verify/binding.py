"""The registry binding: is this file one that was issued, and is its certificate in force?

The registry is asked for the file's fingerprint, then for the fingerprint of the revision the
last seal signed, which the analysis gives only when verify.tail found nothing but validation data
and document time stamps after it (so a re-time-stamped archive copy stays bound). The facts are
gathered once (`RegistryFacts.look_up`); each rule below turns them into findings.
"""

import base64
import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from registry.chinatime import china_date, in_china
from verify.checks import Analysis
from verify.registered import CertificateView, Status
from verify.report import Finding, Verdict
from verify.rules import RuleId
from verify.text import Text

if TYPE_CHECKING:  # offline verification never loads SQLAlchemy
    from registry.db import Registry
    from registry.ledger import Ledger


@dataclass(frozen=True)
class SealAuthority:
    """What the registry says of one seal's certificate: whose it is, the period it was authorised
    to seal in, and its committee's mandates' terms (docs/committees.md)."""

    committee: str
    valid_from: dt.datetime
    valid_to: dt.datetime
    terms: tuple[tuple[str, dt.date, dt.date], ...]
    """Each mandate's approving document and term (both days included)."""

    def authorised(self, moment: dt.datetime) -> bool:
        """Within the certificate's period and, on that day in China, within a mandate's term."""
        day = in_china(moment).date()
        in_term = any(start <= day <= end for _, start, end in self.terms)
        return _aware(self.valid_from) <= moment <= _aware(self.valid_to) and in_term


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _authorities(ledger: "Ledger", analysis: Analysis) -> tuple[SealAuthority | None, ...]:
    """Each seal's registered certificate (None: not registered), in file order."""
    found: list[SealAuthority | None] = []
    for signer, _issuer in analysis.seal_certificates:
        der = base64.b64decode(signer)
        seal = ledger.mandates.seal(hashlib.sha256(der).hexdigest())
        if seal is None:
            found.append(None)
            continue
        mandates = ledger.mandates.of_committee(seal.committee)
        terms = tuple((m.document_no, m.valid_from, m.valid_to) for m in mandates)
        found.append(SealAuthority(seal.committee, seal.valid_from, seal.valid_to, terms))
    return tuple(found)


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
    seals: tuple[SealAuthority | None, ...] = ()
    """Each seal's certificate as the registry's committee seals know it (None: not registered)."""

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
            seals = _authorities(ledger, analysis)
        return cls(True, view, label, void, by_revision, seals)


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


def seal_authorised(facts: RegistryFacts, analysis: Analysis) -> Iterator[Finding]:
    """Each seal whose certificate the registry holds as a committee's: sealed (at the time its
    time stamp proves, else the time it claims) within the period the certificate was authorised
    for and within a term of the committee's mandate; a note when so, invalid when not. A seal of a
    certificate the registry does not hold is not judged here (docs/committees.md)."""
    for i, (sig, authority) in enumerate(zip(analysis.signatures, facts.seals, strict=False)):
        when = sig.timestamp or sig.signed_at
        if authority is None or when is None:
            continue
        moment = _aware(dt.datetime.fromisoformat(when))
        day = in_china(moment).date()
        who = authority.committee
        if authority.authorised(moment):
            yield Finding(
                RuleId.REGISTRY_SEAL_AUTHORISED,
                Text(
                    f"印章 {i + 1} 的证书 {day} 盖章时在{who}的授权期和评审权限有效期内",
                    f"seal {i + 1}: its certificate was authorised for {who}, within its mandate, "
                    f"when it sealed on {day}",
                ),
                seal=i + 1,
            )
            continue
        terms = "；".join(f"{doc} {start}至{end}" for doc, start, end in authority.terms) or "无 / none"
        period = (
            f"{in_china(_aware(authority.valid_from)).date()}至{in_china(_aware(authority.valid_to)).date()}"
        )
        yield Finding(
            RuleId.REGISTRY_SEAL_AUTHORISED,
            Text(
                f"印章 {i + 1} 于 {day} 盖章，不在{who}该印章证书的授权期（{period}）或评审权限有效期"
                f"（{terms}）内：该印章无效",
                f"seal {i + 1} was made on {day}, outside the period its certificate was authorised "
                f"for {who} ({period}) or the committee's mandate ({terms}): it is not valid",
            ),
            Verdict.INVALID,
            seal=i + 1,
        )


BINDING_RULES: tuple[BindingRule, ...] = (
    offline,
    sealed_revision,
    issued,
    copy_not_void,
    in_force,
    seal_authorised,
)


def bind(facts: RegistryFacts, analysis: Analysis) -> Iterator[Finding]:
    """Every finding of the binding rules, in order."""
    for rule in BINDING_RULES:
        yield from rule(facts, analysis)


__all__ = ["BINDING_RULES", "RegistryFacts", "SealAuthority", "bind"]
