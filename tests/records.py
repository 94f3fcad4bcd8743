"""Registry rows for tests: a registered certificate with the sample session's printed values, so
each test states only what it is about (its number, token, award key, fingerprint, status...)."""

import datetime as dt
from typing import Any

from registry.models import CertificateRecord
from registry.repository import hash_token
from verify.registered import CertificateView
from verify.report import SignatureReport

ISSUED_AT = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)


def certificate_record(no: str, *, token: str, **changes: Any) -> CertificateRecord:
    """A valid certificate numbered `no` whose QR token is `token`; `changes` override any column."""
    values: dict[str, Any] = {
        "certificate_no": no,
        "token_hash": hash_token(token),
        "issue_key": hash_token("K" + no),
        "holder_name": "张晓明",
        "holder_id_masked": "500103********0030",
        "title": "高级工程师",
        "level": "副高级",
        "series": "工程技术",
        "speciality": "大数据智能化",
        "committee": "评委会",
        "authority": "重庆市职称改革办公室",
        "approval_no": "渝职改办〔2026〕12号",
        "passed_on": dt.date(2025, 12, 21),
        "issued_on": dt.date(2026, 1, 20),
        "sha256": hash_token("S" + no),
        "status": "valid",
        "created_at": ISSUED_AT,
    }
    values.update(changes)
    return CertificateRecord(**values)


def certificate_view(no: str = "CQZC2026000001", **changes: Any) -> CertificateView:
    """What the public sees of `certificate_record(no)`: the holder masked (张*明)."""
    return CertificateView.of(certificate_record(no, token="A" * 32, **changes))


def signature_report(**changes: Any) -> SignatureReport:
    """The committee's seal as a sound file's analysis reports it (certified, intact, trusted,
    followed by the authority's seal); `changes` override any fact."""
    values: dict[str, Any] = {
        "role": "committee",
        "signer": "DEMO committee",
        "signed_at": None,
        "timestamp": None,
        "intact": True,
        "valid": True,
        "trusted": True,
        "coverage": "ENTIRE_REVISION",
        "modification_level": "FORM_FILLING",
        "certification": True,
        "docmdp_ok": True,
    }
    values.update(changes)
    return SignatureReport(**values)
