"""The committee's own documents, issued through LibreOffice and sealed: the draft confirmation
notice and the result letter of a delegated review (the notice, items 四(一)5 and 四(三)3).

A crafted session (the sample with 黎军静, who passes, and 许思婷, who fails, delegated by one
central enterprise) is issued on the shared instance with approval number 300."""

import json
from collections import Counter
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from registry.db import Registry
from signing.profiles import PROFILES
from signing.roles import Role
from signing.trust import load_trust_settings
from tests.conftest import Instance, Issued, as_another_session, passed_applicants, serve_pki
from tests.integration.test_independent_validators import nss_db, pdfsig  # noqa: F401 - a fixture
from tests.unit.docgen.test_notices import UNIT, crafted
from verify.report import Verdict
from verify.service import verify_pdf
from verify.wording import Case


def text_of(path: str) -> str:
    raw = "".join(p.extract_text() for p in PdfReader(path).pages)
    return raw.replace(" ", "").replace("\u3000", "").replace("\n", "")


@pytest.fixture(scope="module")
def pki(instance: Instance, issued: Issued) -> Iterator[None]:
    """The DEMO TSA and OCSP responder: sealing at the instance's level, pdfsig's online check
    (after the demo, which serves its own)."""
    with serve_pki(instance):
        yield


@pytest.fixture(scope="module")
def delegated(instance: Instance, pki: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("notices")
    # New people on the shared instance: one normal-channel application a year holds.
    doc = as_another_session(crafted(), "渝职改办〔2026〕300号")
    doc["draft_notice_submitted_on"] = "2026-01-09"
    source = base / "session.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    proc = instance.run("issue", str(source), "--out", str(base / "out"), "--json")
    result: dict[str, Any] = json.loads(proc.stdout)
    assert result["errors"] == []
    return result


def of_kind(result: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [d for d in result["documents"] if d["kind"] == kind]


def test_a_delegated_pass_gets_a_result_letter_and_neither_certificate_nor_notice_line(
    delegated: dict[str, Any],
) -> None:
    confirmed = [a["name"] for a in passed_applicants() if a["name"] != "黎军静"]
    kinds = Counter(d["kind"] for d in delegated["documents"])
    assert kinds["certificate"] == len(confirmed) == 3 and kinds["review-form"] == 6
    assert (kinds["draft-notice"], kinds["result-letter"]) == (1, 1)
    [why] = [s for s in delegated["skipped"] if "黎军静" in s]
    assert f"passed a delegated review (委托评审) for {UNIT}" in why and "no certificate" in why
    notice = text_of(of_kind(delegated, "draft-notice")[0]["path"])
    assert "代拟稿" in notice and "重庆市职称改革办公室：" in notice and "报送日期：2026年01月09日" in notice
    assert all(name in notice for name in confirmed)
    assert not any(name in notice for name in ("黎军静", "许思婷", "戴萍"))  # delegated, failed, objection
    assert "另有委托评审通过人员1名，评审结果已函复委托单位，不列入本通知。" in notice
    assert "2025年12月22日至2025年12月26日公示（5个工作日）" in notice
    [letter] = of_kind(delegated, "result-letter")
    assert letter["path"].endswith(f"result-letters/0001-{UNIT}.pdf")
    words = text_of(letter["path"])
    assert f"{UNIT}：" in words and "中建人函〔2025〕18号" in words and "特此函复" in words
    assert words.index("许思婷") < words.index("评审未通过") < words.index("黎军静") < words.index("评审通过")
    assert "评审通过人员的职称资格，请你单位按职称管理权限予以确认。" in words


def test_the_committees_documents_verify_as_issued_with_its_seal_alone(
    delegated: dict[str, Any], instance: Instance
) -> None:
    trust = load_trust_settings(instance.home / "trust.json")
    registry = Registry(f"sqlite:///{instance.home / 'registry.sqlite3'}")
    job = delegated["job"]
    try:
        for kind, number in (("draft-notice", f"J{job}"), ("result-letter", f"J{job}-R1")):
            [doc] = of_kind(delegated, kind)
            data = Path(doc["path"]).read_bytes()
            report = verify_pdf(data, name=f"{kind}.pdf", trust=trust, registry=registry)
            assert (report.verdict, report.outcome) == (Verdict.VALID, Case.GENUINE), report.reasons
            assert report.document == f"{kind} {number}" and report.certificate_no is None
            assert report.headline.en.startswith(f"This is a genuine issued document ({kind} {number})")
            assert "it is registered" in report.headline.en
            assert [s.role for s in report.signatures] == [Role.COMMITTEE.value]
            offline = verify_pdf(data, name=f"{kind}.pdf", trust=trust, registry=None)
            assert (offline.verdict, offline.outcome) == (Verdict.VALID, Case.GENUINE_OFFLINE)
    finally:
        registry.dispose()
    paths = [d["path"] for kind in ("draft-notice", "result-letter") for d in of_kind(delegated, kind)]
    reports = json.loads(instance.run("verify", "--json", *paths).stdout)  # exits 0: accepted
    assert [(r["verdict"], r["outcome"]) for r in reports] == [("valid", "genuine")] * 2
    line = instance.run("verify", paths[0]).stdout.strip()
    assert line == f"有效 / valid — draft-notice J{job}"


def test_pdfsig_finds_the_committees_one_seal_valid_and_trusted(
    nss_db: str,  # noqa: F811 - the fixture imported above
    delegated: dict[str, Any],
) -> None:
    for kind in ("draft-notice", "result-letter"):
        [doc] = of_kind(delegated, kind)
        report, _ = pdfsig(nss_db, doc["path"])
        seals = [s for s in report if s["Signature Type"] == "ETSI.CAdES.detached"]
        assert [s["Signature Field Name"] for s in seals] == [PROFILES[Role.COMMITTEE].field_name]
        assert seals[0]["Signature Validation"] == "Signature is Valid.", seals
        assert seals[0]["Certificate Validation"] == "Certificate is Trusted.", seals


def test_a_certificate_cut_after_the_committees_seal_is_no_committee_document(
    issued: Issued, instance: Instance
) -> None:
    """The committee's seal on a certificate allows form filling (P=2) for the authority's to follow:
    the revision it signed, cut out, still lacks that seal; only P=1 marks a document of its own."""
    data = issued.pdf(0)
    first = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[0]
    _, _, start, length = first.byte_range
    cut = data[: start + length]
    trust = load_trust_settings(instance.home / "trust.json")
    report = verify_pdf(cut, name="cut.pdf", trust=trust, registry=None)
    assert report.verdict is Verdict.INVALID
    assert any("expected exactly 2 seals (committee, then authority), found 1" in r for r in report.reasons)


def test_the_demos_draft_notice_leaves_its_date_to_fill_by_hand(issued: Issued) -> None:
    [notice] = issued.of_kind("draft-notice")
    words = text_of(notice["path"])
    assert "报送日期：年月日" in words  # the sample gives no submission date: none is made up
    assert all(a["name"] in words for a in passed_applicants())
