"""Committees' mandates as the committee office meets them on the command line: `init` registers
the DEMO committee (so the Quick start's sample session passes), `committee import` registers a
file's committees or names every problem by file, row and field, and `issue` refuses a session its
committee's mandate does not cover before any job exists (docs/committees.md)."""

import json
from pathlib import Path

import pytest
from apiflask import APIFlask

from registry.db import Registry
from signing.trust import TrustSettings
from tests.conftest import Instance, make_instance, sample_session_doc
from verify.web import VerifyServices, mount

DEMO = "重庆市工程技术大数据智能化专业高级职称评审委员会"
OTHER = "重庆市工程技术大数据智能化专业中级职称评审委员会"


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    inst = make_instance(tmp_path_factory.mktemp("committees") / "home")
    inst.run("init")
    return inst


def committees_file(folder: Path, **change: object) -> Path:
    entry = {
        "name": OTHER,
        "series": "工程技术",
        "speciality": "大数据智能化",
        "highest_level": "中级",
        "document_no": "渝人社备〔2024〕7号",
        "valid_from": "2024-01-01",
        "valid_to": "2028-12-31",
    } | change
    path = folder / "committees.json"
    path.write_text(json.dumps({"committees": [entry]}, ensure_ascii=False), encoding="utf-8")
    return path


def test_init_registers_the_demo_committee_and_its_seal(office: Instance) -> None:
    listed = office.run("committee", "list").stdout.splitlines()
    assert any(
        line.startswith(f"{DEMO}\t渝人社备〔2021〕1号（演示）\t工程技术 大数据智能化 ≤正高级")
        for line in listed
    )
    assert any(line.startswith(f"{DEMO}\tseal ") for line in listed)


def test_a_file_with_a_mistake_is_refused_naming_file_row_and_field(office: Instance, tmp_path: Path) -> None:
    path = committees_file(tmp_path, highest_level="特级")
    proc = office.run("committee", "import", str(path), check=False)
    assert proc.returncode != 0
    assert f"{path}: committees row 1 ({OTHER}), highest_level:" in proc.stderr
    assert OTHER not in office.run("committee", "list").stdout


def test_a_session_above_its_committees_mandate_is_refused_before_a_job_exists(
    office: Instance, tmp_path: Path
) -> None:
    office.run("committee", "import", str(committees_file(tmp_path)))
    doc = sample_session_doc()
    doc["committee"]["name"] = OTHER
    doc["approval"]["document_no"] = "渝职改办〔2026〕401号"
    source = tmp_path / "session-401.json"
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    jobs_before = office.run("jobs", "list", "--json").stdout
    proc = office.run("issue", str(source), "--out", str(tmp_path / "out"), check=False)
    assert proc.returncode == 2, proc.stderr
    assert f"{source}: applicants row 1 (" in proc.stderr
    assert "level: 评委会无工程技术系列" in proc.stderr and "the committee may not review" in proc.stderr
    assert office.run("jobs", "list", "--json").stdout == jobs_before
    assert not (tmp_path / "out").exists()


def test_the_public_page_and_api_list_the_demo_committee(office: Instance) -> None:
    registry = Registry(f"sqlite:///{office.home / 'registry.sqlite3'}")
    app = APIFlask(__name__, docs_path=None)
    mount(app, VerifyServices(TrustSettings(anchors=()), registry, "verify.example"))
    try:
        client = app.test_client()
        api = client.get("/api/v1/committees")
        assert api.status_code == 200
        [demo] = [c for c in api.get_json()["committees"] if c["name"] == DEMO]
        assert [m["document_no"] for m in demo["mandates"]] == ["渝人社备〔2021〕1号（演示）"]
        assert demo["mandates"][0]["highest_level"] == "正高级" and len(demo["seals"]) == 1
        page = client.get("/committees")
        assert page.status_code == 200 and DEMO in page.text and demo["seals"][0]["sha256"] in page.text
        english = client.get("/committees", headers={"Accept-Language": "en"})
        assert "Review committees and their mandates" in english.text and "Highest level" in english.text
    finally:
        registry.dispose()
