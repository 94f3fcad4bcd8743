"""The notice's less common cases issued through the real path (LibreOffice, seals, registry): a
freelancer without an employer, a 海外高层次人才居住证 holder, and an application deemed withdrawn
(视为放弃申报). What each gets issued, and that no document says anything false of them."""

import json
import sqlite3
from collections import Counter
from typing import Any

import pytest
from pypdf import PdfReader

from docgen.chains import NO_EMPLOYER
from docgen.identity import gb11643_check_char
from tests.conftest import Instance, sample_session_doc

APPROVAL_NO = "渝职改办〔2026〕340号"  # this file's award on the shared instance (340–359)
FREELANCER, PERMIT, WITHDRAWN = "龙晓燕", "柯林", "尹若溪"
PERMIT_NO = "SH2019000123"
HR_AGENCY = "重庆市人才交流服务中心"


def resident_id(birth: str, male: bool, seq: int) -> str:
    first17 = f"500103{birth.replace('-', '')}{seq:02d}{1 if male else 2}"
    return first17 + gb11643_check_char(first17)


def session_doc() -> dict[str, Any]:
    """Three of the sample's applicants, renamed (new people on the shared instance): 黎军静's row as
    a freelancer, 薛伟's with a talent residence permit, 赵霞婷's deemed withdrawn."""
    doc = sample_session_doc()
    doc["approval"]["document_no"] = APPROVAL_NO
    free, permit, gone = (doc["applicants"][i] for i in (1, 2, 6))
    free |= {"name": FREELANCER, "reporting_chain": "freelancer", "id_type": "resident_id"}
    free["id_number"] = resident_id(free["birth_date"], free["sex"] == "男", 34)
    del free["employer"]
    free["superior"]["name"] = HR_AGENCY
    free["work_history"][-1]["employer"] = "自由职业（软件开发）"
    permit |= {"name": PERMIT, "id_type": "overseas_talent_residence", "id_number": PERMIT_NO}
    gone |= {
        "name": WITHDRAWN,
        "id_number": resident_id(gone["birth_date"], gone["sex"] == "男", 35),
        "returns": 1,
        "ending": {"kind": "withdrawn_deemed", "decided_on": "2025-10-30", "reason": "退回补正逾期未补正"},
    }
    doc["applicants"] = [free, permit, gone]
    return doc


def flat(path: str) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages).replace(" ", "").replace("\n", "")


@pytest.fixture(scope="module")
def issued(instance: Instance, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("notice-cases")
    session = tmp / "session.json"
    session.write_text(json.dumps(session_doc(), ensure_ascii=False), encoding="utf-8")
    result = json.loads(instance.run("issue", str(session), "--out", str(tmp / "out"), "--json").stdout)
    documents: list[dict[str, Any]] = result["documents"]
    return documents


def of(issued: list[dict[str, Any]], kind: str, name: str | None = None) -> list[str]:
    return [d["path"] for d in issued if d["kind"] == kind and (name is None or name in flat(d["path"]))]


def test_the_withdrawn_application_gets_only_its_publicity_table(issued: list[dict[str, Any]]) -> None:
    assert Counter(d["kind"] for d in issued) == {
        "certificate": 2,
        "review-form": 4,
        "publicity-table": 3,
        "results-list": 1,
        "review-report": 1,
        "draft-notice": 1,
    }
    assert of(issued, "certificate", WITHDRAWN) == of(issued, "review-form", WITHDRAWN) == []
    assert WITHDRAWN not in flat(of(issued, "results-list")[0])


def test_the_freelancers_documents_name_no_employer(issued: list[dict[str, Any]]) -> None:
    [certificate] = of(issued, "certificate", FREELANCER)
    assert f"工作单位{NO_EMPLOYER}" in flat(certificate)
    [table] = of(issued, "publicity-table", FREELANCER)
    text = flat(table)
    assert f"工作单位{NO_EMPLOYER}" in text
    # No 所在单位 row or box: the HR agency posts the publicity, answers complaints and gives its opinion.
    assert f"投诉受理单位联系人电话人事代理机构{HR_AGENCY}" in text and "所在单位" not in text
    assert "公示地点：人事代理机构公开场所集中公示" in text and "人事代理机构意见：" in text
    forms = of(issued, "review-form", FREELANCER)
    assert len(forms) == 2
    form = flat(forms[0])
    assert "自由职业者：个人→人事代理机构→人事代理机构所在地区县人力社保（职改）部门→评委会" in form
    assert "人事代理机构意见" in form and "所在单位意见" not in form
    assert f"{FREELANCER}{NO_EMPLOYER}" in flat(of(issued, "results-list")[0])


def test_the_permit_holders_certificate_prints_it_and_the_registry_keeps_it_masked(
    issued: list[dict[str, Any]], instance: Instance
) -> None:
    [certificate] = of(issued, "certificate", PERMIT)
    assert "海外高层次人才居住证" in flat(certificate) and PERMIT_NO in flat(certificate)
    number = next(d["certificate_no"] for d in issued if d["path"] == certificate)
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        [(masked,)] = db.execute(
            "SELECT holder_id_masked FROM certificates WHERE certificate_no = ?", (number,)
        )
    assert masked == "********0123"


def test_the_report_counts_the_withdrawn_application_as_neither_refused_nor_reviewed(
    issued: list[dict[str, Any]],
) -> None:
    text = flat(of(issued, "review-report")[0])
    assert "共收到申报3人，不予受理0人，视为放弃申报1人，受理2人" in text
    assert "提交评审2人，评审通过2人，未通过0人" in text
    assert f"视为放弃申报人员：{WITHDRAWN}" in text  # named, with the reason recorded
    assert WITHDRAWN not in text.split("三、评审通过人员名单")[1]
