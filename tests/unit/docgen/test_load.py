import json
from pathlib import Path

import pytest

from docgen.errors import InputError
from docgen.load import clean_text, load_session
from tests.conftest import SAMPLE_SESSION as SAMPLE
from tests.conftest import sample_session_doc


def write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "session.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def sample() -> dict:
    return sample_session_doc()


def test_sample_session_loads() -> None:
    session = load_session(SAMPLE)
    assert [a.name for a in session.applicants] == ["张晓明", "李婷", "欧阳建国", "陈家豪"]
    assert session.sitting.present == 21


def test_every_problem_is_reported_with_file_row_and_field(tmp_path: Path) -> None:
    doc = sample()
    doc["applicants"][1]["id_number"] = "500112199003070022"
    doc["applicants"][3]["sex"] = "女"
    doc["applicants"][0]["vote"] = {"agree": 20, "disagree": 1, "abstain": 1}
    path = write(tmp_path, doc)
    with pytest.raises(InputError) as caught:
        load_session(path)
    assert caught.value.problems == [
        f"{path}: applicants[0] (张晓明).vote: 22 votes cast but only 21 members attended",
        f"{path}: applicants[1] (李婷).id_number: check character should be 1",
        f"{path}: applicants[3] (陈家豪).sex: 女 disagrees with the ID number (男)",
    ]


def test_quorum_failure_is_an_input_error(tmp_path: Path) -> None:
    doc = sample()
    doc["sitting"]["present"] = 16
    with pytest.raises(InputError, match=r"sitting.present: quorum not met: 16 of 25 members attended"):
        load_session(write(tmp_path, doc))


def test_missing_and_mistyped_fields(tmp_path: Path) -> None:
    doc = sample()
    del doc["approval"]["document_no"]
    doc["applicants"][2]["birth_date"] = "12/09/1978"
    with pytest.raises(InputError) as caught:
        load_session(write(tmp_path, doc))
    text = str(caught.value)
    assert "approval.document_no: required text is missing" in text
    assert "applicants[2] (欧阳建国).birth_date: expected a date as YYYY-MM-DD, got '12/09/1978'" in text


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{nope", encoding="utf-8")
    with pytest.raises(InputError, match=r"s.json: not valid UTF-8 JSON"):
        load_session(path)


def test_control_characters_never_reach_a_template() -> None:
    # \f would become a page break and \a a paragraph in docxtpl (CONVERSION.md §1.1)
    assert clean_text("重庆\f数智\a科技\x00有限\u2028公司  ") == "重庆 数智 科技 有限 公司"


def test_missing_photo_is_named(tmp_path: Path) -> None:
    doc = sample()
    doc["applicants"][0]["photo"] = "nowhere.png"
    with pytest.raises(InputError, match=r"applicants\[0\] \(张晓明\).photo: file .*nowhere.png not found"):
        load_session(write(tmp_path, doc))
