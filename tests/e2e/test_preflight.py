"""Preflight: whatever can fail on input or configuration fails before a job exists, naming the
file, row and field or the service's URL; afterwards no job, no number and no document exists."""

import io
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from tests.conftest import SAMPLE_SESSION, Instance, free_port, make_instance, serve_pki


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    """An instance of its own (DEMO PKI), its PKI services not started."""
    inst = make_instance(tmp_path_factory.mktemp("preflight") / "home")
    inst.run("init")
    return inst


def with_env(inst: Instance, **env: str) -> Instance:
    return Instance(inst.home, {**inst.env, **env}, inst.public_url, inst.pki_url)


def copy_sample(tmp_path: Path, suffix: str = ".json") -> Path:
    shutil.copytree(SAMPLE_SESSION.parent / "photos", tmp_path / "photos")
    return Path(shutil.copy(SAMPLE_SESSION.with_suffix(suffix), tmp_path / f"session{suffix}"))


def nothing_issued(inst: Instance, out: Path) -> None:
    """No job, no certificate number and no output document exists."""
    assert json.loads(inst.run("jobs", "list", "--json").stdout) == []
    with sqlite3.connect(inst.home / "registry.sqlite3") as db:
        assert db.execute("select count(*) from certificates").fetchone() == (0,)
        assert db.execute("select count(*) from issue_units").fetchone() == (0,)
    assert not out.exists() or not any(out.rglob("*.pdf"))


def refused(inst: Instance, session: Path, tmp_path: Path, status: int = 2) -> tuple[str, str]:
    """`check` and `issue` of `session` both refuse; their messages."""
    checked = inst.run("check", "--services", str(session), check=False)
    out = tmp_path / "out"
    issued = inst.run("issue", str(session), "--out", str(out), check=False)
    assert (checked.returncode, issued.returncode) == (status, status), issued.stderr
    nothing_issued(inst, out)
    return checked.stderr, issued.stderr


def jpeg(cut: int = 0) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((260, 360), 64).convert("RGB").save(out, "JPEG")
    return out.getvalue()[: -cut or None]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"PK\x03\x04 a zip, not a photo",
            "not an image (not a JPEG or PNG file): save the photo as JPEG or PNG",
        ),
        (jpeg(cut=500), "the image is cut off (truncated): export it again"),
    ],
    ids=["not-an-image", "truncated-jpeg"],
)
def test_a_bad_photo_stops_check_and_issue_naming_row_and_file(
    office: Instance, tmp_path: Path, data: bytes, message: str
) -> None:
    session = copy_sample(tmp_path)
    doc = json.loads(session.read_text(encoding="utf-8"))
    (tmp_path / doc["applicants"][2]["photo"]).write_bytes(data)
    expected = f"{session}: applicants row 3 (薛伟), photo: {doc['applicants'][2]['photo']}: {message}"
    for stderr in refused(office, session, tmp_path):
        assert expected in stderr and "nothing was issued" in stderr


@pytest.mark.parametrize(
    ("cell", "value", "where"),
    [
        ("E4", 500235197208182837, "sheet 申报人 row 4 (薛伟), 证件号码"),
        ("H2", 915000002028267761, "sheet 申报人 row 2 (许思婷), 单位统一社会信用代码"),
    ],
    ids=["id-number", "credit-code"],
)
def test_an_identifier_typed_as_a_number_stops_check_and_issue(
    office: Instance, tmp_path: Path, cell: str, value: int, where: str
) -> None:
    session = copy_sample(tmp_path, ".xlsx")
    wb = load_workbook(session)
    wb["申报人"][cell] = value  # a number cell, as Excel makes of digits typed in a General column
    wb.save(session)
    for stderr in refused(office, session, tmp_path):
        assert f"{session}: {where}: typed as a number, found " in stderr
        assert "format the column as text" in stderr


def test_the_tsa_down_at_b_lta_stops_issue_before_a_job(office: Instance, tmp_path: Path) -> None:
    blta = with_env(office, TITLECERT_SIGNATURE_LEVEL="B-LTA")  # `pki serve` not started
    checked, issued = refused(blta, copy_sample(tmp_path), tmp_path, status=1)
    for stderr in (checked, issued):
        assert (
            f"the time-stamping authority at {office.pki_url}/tsa does not answer: start the DEMO PKI "
            "services with `titlecert pki serve`" in stderr
        )
        assert "cannot seal at B-LTA; nothing was issued" in stderr
        assert "Error" not in stderr  # no library's exception name or text


def test_the_ocsp_responder_down_stops_issue_before_a_job(office: Instance, tmp_path: Path) -> None:
    # The TSA answers on another port; the seal certificates name the OCSP responder on the
    # instance's TITLECERT_PKI_URL, where nothing listens.
    elsewhere = f"http://127.0.0.1:{free_port()}"
    tsa = Instance(office.home, {**office.env, "TITLECERT_PKI_URL": elsewhere}, office.public_url, elsewhere)
    blt = with_env(office, TITLECERT_SIGNATURE_LEVEL="B-LT", TITLECERT_TSA_URL=f"{elsewhere}/tsa")
    with serve_pki(tsa):
        checked, issued = refused(blt, copy_sample(tmp_path), tmp_path, status=1)
    for stderr in (checked, issued):
        assert "time-stamping authority" not in stderr
        assert (
            f"the OCSP responder at {office.pki_url}/ocsp does not answer: start the DEMO PKI services"
            in stderr
        )
        assert (
            stderr.count("OCSP responder") == 1
            and "(for the committee and authority seal certificates)" in stderr
        )


def test_check_services_passes_when_the_services_answer(office: Instance, tmp_path: Path) -> None:
    blta = with_env(office, TITLECERT_SIGNATURE_LEVEL="B-LTA")
    with serve_pki(office):
        proc = blta.run("check", "--services", str(copy_sample(tmp_path)))
    assert proc.stdout.startswith("ok: ")
