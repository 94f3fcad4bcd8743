"""What a report means for the person holding the file, in Chinese and English.

Every sentence here is for a reader who knows nothing of PDF internals: HR clerks and employers.
The report (verify.report) decides which case a file is; this module only says it.
"""

import datetime as dt
from enum import StrEnum

from registry.chinatime import in_china
from signing.roles import Role
from verify.registered import CertificateView, Status
from verify.text import Text


class Case(StrEnum):
    """What the reader faces, in one word a program can act on (the report's `outcome`)."""

    GENUINE = "genuine"
    """Issued, unchanged and in force."""
    GENUINE_OFFLINE = "genuine-offline"
    """Seals genuine and the file unchanged; the registry was not asked."""
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    SUSPENDED = "suspended"
    """Genuine, but suspended pending an investigation: not to be relied on for now."""
    VOID_COPY = "void-copy"
    """A printed copy recorded lost and replaced."""
    NOT_ISSUED = "not-issued"
    """Genuine seals, but the registry has no such file: made with the keys, never issued."""
    CHANGED = "changed"
    """Genuine seals, but the file was changed after them."""
    SEALS_FAIL = "seals-fail"
    """A seal is broken, foreign or not the expected one."""
    UNCONFIRMED = "unconfirmed"
    """Cannot be confirmed now (expired evidence, revocation unknown); not proof of forgery."""
    UNREADABLE = "unreadable"
    """Not a file that can be checked."""
    RECEIPT = "receipt"
    """One of this site's verification receipts, genuine and unchanged: it states a past outcome."""
    COPY_LAPSED = "copy-lapsed"
    """A holder's annotated copy whose annotation expired or was withdrawn."""


CASE_WORDS: dict[Case, Text] = {
    Case.GENUINE: Text("有效", "Valid"),
    Case.GENUINE_OFFLINE: Text("印章真实（未查询登记库）", "Seals genuine (registry not consulted)"),
    Case.REVOKED: Text("证书已撤销", "Certificate revoked"),
    Case.SUPERSEDED: Text("证书已被替代", "Certificate replaced"),
    Case.SUSPENDED: Text("暂停使用（调查中）", "Suspended (under investigation)"),
    Case.VOID_COPY: Text("副本已作废", "Copy void"),
    Case.NOT_ISSUED: Text("不是签发的文件", "Not an issued file"),
    Case.CHANGED: Text("文件已被改动", "File changed"),
    Case.SEALS_FAIL: Text("印章未通过验证", "Seals fail"),
    Case.UNCONFIRMED: Text("无法确认", "Not confirmed"),
    Case.UNREADABLE: Text("无法查验", "Cannot be checked"),
    Case.RECEIPT: Text("真实的验证报告", "Genuine verification receipt"),
    Case.COPY_LAPSED: Text("加注副本已失效", "Annotated copy no longer valid"),
}
"""Each case in a few words: the report's headline word, the CLI's short line."""

STATUS_WORDS: dict[Status, Text] = {
    Status.VALID: Text("有效", "Valid"),
    Status.REVOKED: Text("已撤销", "Revoked"),
    Status.SUPERSEDED: Text("已被替代", "Replaced"),
    Status.SUSPENDED: Text("暂停使用（调查中）", "Suspended (under investigation)"),
    Status.UNKNOWN: Text("状态不明", "Unknown"),
}
"""The registry's word on a certificate, for the receipt."""


class Label:
    """The names of a report's parts, for every channel (the page, the CLI, the receipt)."""

    CHECKED_AT = Text("查验时间", "Checked at")
    SIGNER = Text("签章证书", "Seal certificate")
    COVERAGE = Text("覆盖范围", "Covers")
    PROVEN_TIME = Text("盖章时间（时间戳证明）", "Sealed at (proven by a time stamp)")
    CLAIMED_TIME = Text("签章时间（签章人自述）", "Signing time (claimed by the signer)")
    REVOCATION = Text("吊销核查", "Revocation check")
    NOTES = Text("说明", "Notes")
    FINGERPRINT = Text("文件指纹 (SHA-256)", "Fingerprint (SHA-256)")


ROLE_WORDS: dict[str, Text] = {
    Role.COMMITTEE: Text("评委会", "Review committee"),
    Role.AUTHORITY: Text("核准机构", "Approving authority"),
    Role.VERIFIER: Text("查验服务", "Verification service"),
}


def seal_title(number: int, role: str | None) -> Text:
    """`印章 1：评委会` / `Seal 1: Review committee`."""
    who = ROLE_WORDS.get(role or "", Text("未识别的签章人", "unrecognised signer"))
    return Text(f"印章 {number}：{who.zh}", f"Seal {number}: {who.en}")


def beijing(moment: str | dt.datetime | None) -> Text | None:
    """A moment in Beijing time with the zone written, e.g. `2026-12-02 13:59:54 北京时间（UTC+8）`."""
    if moment is None:
        return None
    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if when.tzinfo is None:  # a moment without its zone is not one we can say in Beijing time
        return Text(f"{when:%Y-%m-%d %H:%M:%S}（时区不明）", f"{when:%Y-%m-%d %H:%M:%S} (zone unknown)")
    local = f"{in_china(when):%Y-%m-%d %H:%M:%S}"
    return Text(f"{local} 北京时间（UTC+8）", f"{local} Beijing time (UTC+8)")


def coverage_words(
    coverage: str, modification: str | None, *, intact: bool, last: bool, changed_after: bool
) -> Text:
    """What a seal covers and what came after it, from pyHanko's coverage and modification levels.

    `changed_after`: a rule found the file changed after its seals. Then the last seal's line says
    so even where pyHanko's levels alone would sound harmless (its LTA_UPDATES lets more through
    than validation data: docs/verification-threats.md)."""
    if not intact:
        return Text("无从判断：所覆盖的内容已被改动", "cannot be told: what it covers was altered")
    if coverage == "ENTIRE_FILE":
        return Text("覆盖整个文件", "covers the whole file")
    if coverage != "ENTIRE_REVISION":
        return Text("只覆盖文件的一部分", "covers only part of the file")
    if modification in ("OTHER", "ANNOTATIONS") or (last and changed_after):
        return Text(
            "覆盖盖章时的文件，但盖章之后文件被改动了",
            "covers the file as sealed, but the file was changed after it",
        )
    if modification == "FORM_FILLING":
        return Text(
            "覆盖盖章时的文件；其后只加盖了印章",
            "covers the file as sealed; only further seals were added after it",
        )
    return Text(
        "覆盖盖章时的文件；其后只加入了验证数据和时间戳",
        "covers the file as sealed; only validation data and time stamps were added after it",
    )


REVOCATION_FROM_FILE = Text(
    "已核查：依据文件内的验证数据（吊销信息）",
    "checked, from the validation data in the file",
)
REVOCATION_UNCHECKED = Text(
    "未核查：文件不含吊销信息",
    "not checked: the file carries no revocation information",
)
ONLINE_SOURCES: dict[str, Text] = {
    "ocsp": Text("签发机构的 OCSP 服务", "the issuer's OCSP responder"),
    "crl": Text("签发机构的证书吊销列表（CRL）", "the issuer's certificate revocation list (CRL)"),
}
"""What online verification learnt a seal certificate's status from (verify.revocation.Source)."""
NO_ONLINE_ANSWER = Text(
    "未能从签发机构的 OCSP 服务或证书吊销列表（CRL）得到可验证的应答",
    "neither the issuer's OCSP responder nor its certificate revocation list (CRL) gave an answer "
    "that could be verified",
)
REVOCATION_UNAVAILABLE = Text("未核查：", "not checked: ") + NO_ONLINE_ANSWER


def revocation_words(
    from_file: bool, online_status: str | None, online_at: str | None, online_source: str | None
) -> Text:
    """How a seal certificate's revocation was checked: from the file's validation data, online with
    the issuer's OCSP responder or against its CRL (verify.revocation), or not at all."""
    if from_file:
        return REVOCATION_FROM_FILE
    when = beijing(online_at)
    if online_status == "unavailable":
        return REVOCATION_UNAVAILABLE
    if online_status and when:
        source = ONLINE_SOURCES[online_source or "ocsp"]
        return Text(f"已核查：{when.zh}在线查询{source.zh}", f"checked online with {source.en} at {when.en}")
    return REVOCATION_UNCHECKED


UNPROVEN = Text("无（未经时间戳证明）", "none (not proven by a time stamp)")


def _holder(c: CertificateView) -> Text:
    return Text(
        f"{c.certificate_no}，持证人 {c.holder}，{c.title}（{c.level}），{c.committee}评审通过，"
        f"{c.authority}核准",
        f"{c.certificate_no}, held by {c.holder}: {c.title} ({c.level}), passed by {c.committee} "
        f"and approved by {c.authority}",
    )


def headline(
    case: Case,
    certificate: CertificateView | None,
    document: str | None,
    first_reason: Text | None,
    annotation: Text | None = None,
) -> Text:
    """The report in one or two plain sentences: what the file is, and what the reader should do."""
    c = certificate
    if case is Case.GENUINE and c and annotation:
        return (
            Text(
                f"这是一份真实、有效的职称证书的持证人加注副本（{annotation.zh}）：",
                f"This is a holder's annotated copy of a genuine certificate in force ({annotation.en}): ",
            )
            + _holder(c)
            + _CHECK_THE_HOLDER
        )
    if case is Case.GENUINE and document:
        in_force = (
            Text(
                f"所属证书 {c.certificate_no} 有效",
                f"certificate {c.certificate_no} it belongs to is in force",
            )
            if c
            else Text("已登记", "it is registered")
        )
        return (
            Text(
                f"这是一份真实的签发文件（{document}）：印章真实，签发后未被改动；",
                f"This is a genuine issued document ({document}): the seals are genuine and it is "
                f"unchanged since issue; ",
            )
            + in_force
            + Text("。", ".")
        )
    if case is Case.GENUINE and c:
        return (
            Text("这是一份真实、有效的职称证书：", "This is a genuine certificate in force: ")
            + _holder(c)
            + _CHECK_THE_HOLDER
        )
    if case is Case.REVOKED and c:
        when = f"{in_china(c.status_changed_at):%Y-%m-%d}" if c.status_changed_at else ""
        why_zh = f"（{c.status_reason}）" if c.status_reason else ""
        why_en = f" ({c.status_reason})" if c.status_reason else ""
        return (
            Text(
                f"文件是真的，但证书 {c.certificate_no} 已于 {when} 被撤销{why_zh}：",
                f"The file is genuine, but certificate {c.certificate_no} was revoked on {when}{why_en}: ",
            )
            + _REVOKED_MEANS
        )
    if case is Case.SUSPENDED and c:
        return Text("文件是真的，但", "The file is genuine, but ") + _suspended(c)
    if case is Case.SUPERSEDED and c:
        return Text("文件是真的，但", "The file is genuine, but ") + _replaced(
            c.certificate_no, c.superseded_by
        )
    return _HEADLINES.get(case, _HEADLINES[Case.UNCONFIRMED]) + (
        Text(f"原因：{first_reason.zh}。", f" Reason: {first_reason.en}.")
        if first_reason and case is Case.UNCONFIRMED
        else Text("", "")
    )


_CHECK_THE_HOLDER = Text(
    "。请核对持证人是否为出示证书的本人。", ". Check that the holder is the person presenting it."
)
_REVOKED_MEANS = Text(
    "它不再证明持证人具有该职称，请勿采信。", "it no longer proves the title. Do not rely on it."
)


def _suspended(view: CertificateView) -> Text:
    when = f"{in_china(view.status_changed_at):%Y-%m-%d}" if view.status_changed_at else "—"
    return Text(
        f"证书 {view.certificate_no} 自 {when} 起暂停使用（调查中）：调查结束前请勿采信，稍后再查。",
        f"certificate {view.certificate_no} is suspended (under investigation) since {when}: do not "
        "rely on it until the investigation ends; check again later.",
    )


def _replaced(number: str, by: str | None) -> Text:
    new = by or "—"
    return Text(
        f"证书 {number} 已被证书 {new} 取代，不能再使用：请向持证人索取新证书并查验。",
        f"certificate {number} was replaced by certificate {new} and is no longer valid for use: ask "
        "the holder for the new one and verify it.",
    )


def lookup_headline(view: CertificateView) -> Text:
    """What the registry's word on a certificate means for the reader of its scan page (no file
    was judged: the headline speaks of the registry, not of a file)."""
    no = view.certificate_no
    if view.status is Status.VALID:
        return (
            Text(f"登记库中的证书 {no} 有效：", f"Certificate {no} is registered and in force, ")
            + Text(
                f"持证人 {view.holder}，{view.title}（{view.level}），{view.committee}评审通过",
                f"held by {view.holder}: {view.title} ({view.level}), passed by {view.committee}",
            )
            + _CHECK_THE_HOLDER
        )
    if view.status is Status.REVOKED:
        return Text(f"证书 {no} 已被撤销：", f"Certificate {no} was revoked: ") + _REVOKED_MEANS
    if view.status is Status.SUSPENDED:
        suspended = _suspended(view)
        return Text(suspended.zh, suspended.en[0].upper() + suspended.en[1:])
    if view.status is Status.SUPERSEDED:
        replaced = _replaced(no, view.superseded_by)
        return Text(replaced.zh, replaced.en[0].upper() + replaced.en[1:])
    return Text(
        f"证书 {no} 的状态无法确认，请稍后再查。", f"The status of certificate {no} cannot be confirmed now."
    )


_HEADLINES: dict[Case, Text] = {
    Case.GENUINE_OFFLINE: Text(
        "印章真实，文件自盖章后未被改动。未查询登记库，无法确认证书现在是否仍然有效：请在官方查验网站上查验。",
        "The seals are genuine and the file is unchanged since sealing. The registry was not consulted, "
        "so whether the certificate is still in force is not known: check it on the official "
        "verification site.",
    ),
    Case.COPY_LAPSED: Text(
        "印章是真的，但这份持证人加注副本已过期或已被持证人撤回，不能再使用：请向持证人索取新的副本。",
        "The seals are genuine, but this holder's annotated copy has expired or was withdrawn by the "
        "holder and is no longer valid for use: ask the holder for a new one.",
    ),
    Case.VOID_COPY: Text(
        "印章是真的，但这份纸质副本已登记遗失并作废：请查验补发的副本。",
        "The seals are genuine, but this printed copy was reported lost and is void: check the "
        "replacement copy.",
    ),
    Case.NOT_ISSUED: Text(
        "印章是真的，但这份文件不是签发的那一份：登记库中没有这份文件。请勿采信；"
        "请向持证人索取签发的原始文件，或扫描证书上的二维码查验。",
        "The seals are genuine, but this file is not the one that was issued: the registry has no such file. "
        "Do not rely on it; ask the holder for the file they were issued, or scan the QR code on "
        "the certificate.",
    ),
    Case.CHANGED: Text(
        "印章是真的，但这份文件在盖章之后被改动过，不是签发的那一份：请勿采信，请向持证人索取原始文件。",
        "The seals are genuine, but this file was changed after sealing: it is not the file that was issued. "
        "Do not rely on it; ask the holder for the original file.",
    ),
    Case.SEALS_FAIL: Text(
        "这份文件的印章未通过验证：它不是签发机构签发的真实文件，请勿采信。",
        "This file's seals do not pass verification: it is not a genuine document of the issuer. "
        "Do not rely on it.",
    ),
    Case.UNCONFIRMED: Text(
        "目前无法确认这份文件，但这并不表示它是伪造的：请稍后再试，或向签发机构核实。",
        "This file cannot be confirmed at the moment; that does not mean it is forged: "
        "try again later, or ask the issuer.",
    ),
    Case.UNREADABLE: Text(
        "无法查验这份文件：它已损坏，或不是签发机构生成的 PDF。"
        "请向持证人索取原始文件，或扫描证书上的二维码查验。"
        "",
        "This file cannot be checked: it is damaged or not a PDF made by the issuer. "
        "Ask the holder for the original file, or scan the QR code on the certificate.",
    ),
}


__all__ = [
    "NO_ONLINE_ANSWER",
    "ONLINE_SOURCES",
    "REVOCATION_FROM_FILE",
    "REVOCATION_UNAVAILABLE",
    "REVOCATION_UNCHECKED",
    "UNPROVEN",
    "CASE_WORDS",
    "STATUS_WORDS",
    "Case",
    "Label",
    "ROLE_WORDS",
    "seal_title",
    "beijing",
    "coverage_words",
    "headline",
    "lookup_headline",
    "revocation_words",
]
