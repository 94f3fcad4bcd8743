"""Each seal's outcome in the words of ETSI EN 319 102-1 (the AdES validation procedures).

A seal is PASSED, FAILED or INDETERMINATE; a seal short of PASSED has one sub-indication saying
why. The names are the standard's (pyHanko's `AdESFailure`/`AdESIndeterminate` use the same; a unit
test keeps them equal), so that a report reads the same as one from DSS or pyHanko's AdES report.
We keep our own enumeration because a report must not depend on a validator library's types: it
crosses the sandbox as JSON and is read by the site and the CLI.
"""

from enum import StrEnum

from verify.text import Text


class Indication(StrEnum):
    """The main indication of one seal's validation."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    INDETERMINATE = "INDETERMINATE"


class SubIndication(StrEnum):
    """Why a seal is not PASSED (ETSI EN 319 102-1, clause 5.1.3)."""

    HASH_FAILURE = "HASH_FAILURE"
    SIG_CRYPTO_FAILURE = "SIG_CRYPTO_FAILURE"
    REVOKED = "REVOKED"
    FORMAT_FAILURE = "FORMAT_FAILURE"
    NO_CERTIFICATE_CHAIN_FOUND = "NO_CERTIFICATE_CHAIN_FOUND"
    CHAIN_CONSTRAINTS_FAILURE = "CHAIN_CONSTRAINTS_FAILURE"
    SIG_CONSTRAINTS_FAILURE = "SIG_CONSTRAINTS_FAILURE"
    OUT_OF_BOUNDS_NO_POE = "OUT_OF_BOUNDS_NO_POE"
    REVOKED_NO_POE = "REVOKED_NO_POE"
    REVOCATION_OUT_OF_BOUNDS_NO_POE = "REVOCATION_OUT_OF_BOUNDS_NO_POE"
    NO_POE = "NO_POE"
    TRY_LATER = "TRY_LATER"


FAILURES = frozenset(
    {
        SubIndication.HASH_FAILURE,
        SubIndication.SIG_CRYPTO_FAILURE,
        SubIndication.REVOKED,
        SubIndication.FORMAT_FAILURE,
    }
)
"""The sub-indications of FAILED: proof that the seal is bad. Every other one is INDETERMINATE:
the seal could not be confirmed, which is not proof of forgery."""


def indication_of(sub: SubIndication | None) -> Indication:
    if sub is None:
        return Indication.PASSED
    return Indication.FAILED if sub in FAILURES else Indication.INDETERMINATE


INDICATION_WORDS: dict[Indication, Text] = {
    Indication.PASSED: Text("通过", "passed"),
    Indication.FAILED: Text("未通过", "failed"),
    Indication.INDETERMINATE: Text("无法确认", "not confirmed"),
}

PASSED_MEANS = Text(
    "印章真实：签章证书来自受信任的签发机构，盖章时的内容没有被改动",
    "genuine: the seal's certificate is from a trusted issuer and what it sealed is unchanged",
)

MEANING: dict[SubIndication, Text] = {
    SubIndication.HASH_FAILURE: Text(
        "盖章后，印章所覆盖的内容被改动了",
        "what the seal covers was altered after sealing",
    ),
    SubIndication.SIG_CRYPTO_FAILURE: Text(
        "印章的签名值无法用签章证书验证：印章是伪造的或已损坏",
        "the seal's signature does not verify with its certificate: it is forged or damaged",
    ),
    SubIndication.REVOKED: Text(
        "印章是在其证书被吊销之后加盖的",
        "the seal was made after its certificate was revoked",
    ),
    SubIndication.FORMAT_FAILURE: Text(
        "印章的结构不符合要求：它没有覆盖文件的一个完整版本",
        "the seal is not well formed: it does not cover a whole version of the file",
    ),
    SubIndication.NO_CERTIFICATE_CHAIN_FOUND: Text(
        "签章证书不是由受信任的签发机构签发的",
        "the seal's certificate is not from a trusted issuer",
    ),
    SubIndication.CHAIN_CONSTRAINTS_FAILURE: Text(
        "签章证书不属于应加盖此印章的机构",
        "the seal's certificate does not belong to the body that must apply this seal",
    ),
    SubIndication.SIG_CONSTRAINTS_FAILURE: Text(
        "这个印章不是签发文件应有的印章（多余，或签名类型不对）",
        "this seal is not one an issued document carries (an extra seal, or the wrong kind)",
    ),
    SubIndication.OUT_OF_BOUNDS_NO_POE: Text(
        "签章证书已过期，文件中没有时间戳证明印章加盖于过期之前",
        "the seal's certificate has expired and no time stamp proves the seal was made before",
    ),
    SubIndication.REVOKED_NO_POE: Text(
        "签章证书已被吊销，文件中没有时间戳证明印章加盖于吊销之前",
        "the seal's certificate was revoked and no time stamp proves the seal was made before",
    ),
    SubIndication.REVOCATION_OUT_OF_BOUNDS_NO_POE: Text(
        "文件中的吊销信息已过时，无法证明当时的证书状态",
        "the file's revocation information is out of date and proves nothing about the seal's time",
    ),
    SubIndication.NO_POE: Text(
        "印章的时间戳无法验证，印章的加盖时间得不到证明",
        "the seal's time stamp cannot be verified, so the time of sealing is not proven",
    ),
    SubIndication.TRY_LATER: Text(
        "暂时无法确定签章证书是否被吊销",
        "whether the seal's certificate was revoked cannot be established at the moment",
    ),
}


__all__ = [
    "FAILURES",
    "INDICATION_WORDS",
    "MEANING",
    "PASSED_MEANS",
    "Indication",
    "SubIndication",
    "indication_of",
]
