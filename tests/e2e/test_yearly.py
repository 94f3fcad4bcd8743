"""One normal-channel application a year across sessions, as the committee office meets it on the
command line: a second session of the year naming an applicant of the first is refused by
`check --services` and `issue` before any job exists; `check` alone says it did not look; the same
name, sex and birth date under another ID document is a warning; a registry that does not answer
is an error, never a pass."""

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Instance, make_instance, sample_session_doc

COMMITTEE = "重庆市工程技术大数据智能化专业高级职称评审委员会"
XU, LI, XUE = 0, 1, 2
"""Rows of the sample: 许思婷 (resident ID, failed the vote), 黎军静 (passed), 薛伟 (passed)."""


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    """An instance of this module's own: the sessions of its year are these tests'."""
    inst = make_instance(tmp_path_factory.mktemp("yearly") / "home")
    inst.run("init")
    return inst


def session(folder: Path, approval: int, rows: list[int], **applicant: Any) -> Path:
    """The sample as 渝职改办〔2026〕<approval>号 with the applicants `rows`, the first changed by
    `applicant`."""
    doc = sample_session_doc()
    doc["approval"]["document_no"] = f"渝职改办〔2026〕{approval}号"
    doc["applicants"] = [doc["applicants"][i] for i in rows]
    doc["applicants"][0] |= applicant
    path = folder / f"session-{approval}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first_job(office: Instance, tmp_path_factory: pytest.TempPathFactory) -> int:
    """Session 360 issued: 许思婷 failed, 黎军静 passed; its job's id."""
    folder = tmp_path_factory.mktemp("first")
    source = session(folder, 360, [XU, LI])
    result = json.loads(office.run("issue", str(source), "--out", str(folder / "out"), "--json").stdout)
    assert [d["kind"] for d in result["documents"]].count("certificate") == 1
    return int(result["job"])


def test_a_second_session_of_the_year_is_refused_before_a_job_exists(
    office: Instance, first_job: int, tmp_path: Path
) -> None:
    second = session(tmp_path, 361, [LI, XUE])
    offline = office.run("check", str(second))
    assert offline.stdout.splitlines()[1] == (
        "one application a year across sessions: not checked (offline; --services checks it against the "
        "2025 sessions in the registry, and issue does)"
    )
    refusal = (
        f"{second}: applicants row 1 (黎军静), id_number: "
        "同一证件号码本年度（2025年）已通过正常申报渠道申报过一次职称："
        f"{COMMITTEE} 2025-12-20 评审会（批准文号 渝职改办〔2026〕360号，"
        f"签发任务 {first_job}，申报人第 2 行，乡村振兴，评审通过）。"
        "一个年度内通过正常申报渠道只能申报一次职称（“绿色通道”评定未通过的除外）（通知第四(二)2项），"
        "本评审会的此项申报不能签发"
    )
    jobs_before = office.run("jobs", "list", "--json").stdout
    checked = office.run("check", "--services", str(second), check=False)
    issued = office.run("issue", str(second), "--out", str(tmp_path / "out"), check=False)
    for proc in (checked, issued):
        assert proc.returncode == 2, proc.stderr
        assert "error: the session input has 1 problem(s); nothing was issued:" in proc.stderr
        assert refusal in proc.stderr
        assert "row 2 (薛伟)" not in proc.stderr
    assert office.run("jobs", "list", "--json").stdout == jobs_before and not (tmp_path / "out").exists()


def test_the_same_name_sex_and_birth_date_under_another_id_document_is_a_warning(
    office: Instance, first_job: int, tmp_path: Path
) -> None:
    other = session(tmp_path, 362, [XU], id_type="passport", id_number="E12345678")
    proc = office.run("check", "--services", str(other))
    assert (
        f"warning: {other}: applicants row 1 (许思婷): "
        "同名、同性别、同出生日期的申报人本年度（2025年）已以另一证件（居民身份证）申报："
        f"{COMMITTEE} 2025-12-20 评审会（批准文号 渝职改办〔2026〕360号，"
        f"签发任务 {first_job}，申报人第 1 行，正常申报，评审未通过）。如为同一人以不同证件申报"
        in proc.stderr
    )
    assert proc.stdout.splitlines()[0].endswith("; 1 warning(s)")
    assert proc.stdout.splitlines()[1] == (
        "one application a year: checked against the registry (2 application(s) of 2025 recorded)"
    )


def test_a_registry_that_does_not_answer_is_an_error_not_a_pass(office: Instance, tmp_path: Path) -> None:
    url = "postgresql+psycopg://titlecert@127.0.0.1:9/none"
    down = Instance(
        office.home, {**office.env, "TITLECERT_DATABASE_URL": url}, office.public_url, office.pki_url
    )
    source = session(tmp_path, 363, [XUE])
    for args in (
        ["check", "--services", str(source)],
        ["issue", str(source), "--out", str(tmp_path / "out")],
    ):
        proc = down.run(*args, check=False)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.startswith(
            f"error: one application a year across sessions cannot be checked: the registry at {url} cannot "
            "be used just now: "
        )
        assert "is the database server running, and is TITLECERT_DATABASE_URL right?" in proc.stderr
        assert "ok:" not in proc.stdout
    assert not (tmp_path / "out").exists()
