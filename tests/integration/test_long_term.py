"""PAdES B-LT and B-LTA: validation data embedded, a closing document time stamp, and a verifier that
accepts exactly that after the seals, and nothing else."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Instance, make_instance, sample_session_doc, serve_pki
from tests.tamper import add_page_content


@pytest.fixture(scope="module")
def lt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = make_instance(tmp_path_factory.mktemp("lt") / "home")
    inst.run("init")
    with serve_pki(inst):
        yield inst


def issue(inst: Instance, tmp_path: Path, level: str, document_no: str) -> dict[str, str]:
    doc = sample_session_doc()
    doc["approval"]["document_no"] = document_no
    doc["applicants"] = doc["applicants"][1:2]
    session = tmp_path / f"{level}.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    env = {**inst.env, "TITLECERT_SIGNATURE_LEVEL": level}
    run = Instance(inst.home, env, inst.public_url, inst.pki_url).run
    result = json.loads(run("issue", str(session), "--out", str(tmp_path / level), "--json").stdout)
    return next(d for d in result["documents"] if d["kind"] == "certificate")


def verify(inst: Instance, path: str | Path, *, offline: bool = False) -> dict:
    args = ["verify", "--json", *(["--offline"] if offline else []), str(path)]
    return json.loads(inst.run(*args, check=False).stdout)[0]


def test_b_lta_certificate_is_valid_with_a_document_time_stamp(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LTA", "渝职改办〔2026〕41号")
    data = Path(certificate["path"]).read_bytes()
    assert b"/DSS" in data and b"/DocTimeStamp" in data
    report = verify(lt, certificate["path"])
    assert (report["verdict"], report["status"]) == ("valid", "valid")
    assert len(report["document_timestamps"]) == 1
    assert [s["modification_level"] for s in report["signatures"]] == ["FORM_FILLING", "LTA_UPDATES"]
    assert all(s["timestamp"] for s in report["signatures"])
    assert verify(lt, certificate["path"], offline=True)["verdict"] == "valid"


def test_a_change_after_the_document_time_stamp_is_caught(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LTA", "渝职改办〔2026〕42号")
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(add_page_content(Path(certificate["path"]).read_bytes()))
    report = verify(lt, edited, offline=True)
    assert report["verdict"] == "modified"


def test_b_lt_embeds_validation_data_without_a_document_time_stamp(lt: Instance, tmp_path: Path) -> None:
    certificate = issue(lt, tmp_path, "B-LT", "渝职改办〔2026〕43号")
    data = Path(certificate["path"]).read_bytes()
    assert b"/DSS" in data and b"/DocTimeStamp" not in data
    report = verify(lt, certificate["path"])
    assert report["verdict"] == "valid" and report["document_timestamps"] == []


def test_a_revoked_signing_certificate_cannot_seal_long_term(lt: Instance, tmp_path: Path) -> None:
    lt.run("pki", "revoke", "authority")
    doc = sample_session_doc()
    doc["approval"]["document_no"] = "渝职改办〔2026〕44号"
    doc["applicants"] = doc["applicants"][1:2]
    session = tmp_path / "s.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    env = {**lt.env, "TITLECERT_SIGNATURE_LEVEL": "B-LTA"}
    run = Instance(lt.home, env, lt.public_url, lt.pki_url).run
    proc = run("issue", str(session), "--out", str(tmp_path / "o"), check=False)
    assert proc.returncode == 1
    assert "the signing certificate does not validate for long-term signing" in proc.stderr
    assert "revoked" in proc.stderr.lower() and "nothing was sealed" in proc.stderr
