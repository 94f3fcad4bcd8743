"""A failed job is finished, not replaced: after a fault the operator corrects the session and runs
the same command, and the same job goes on (docs/issuing.md). Driven through the CLI: the TSA down
at B-LTA (a fault no check before the job can see) with a photo corrected meanwhile; a correction
touching a registered award refused; a changed vote refused; another session into the folder
still abandoning the job."""

import io
import json
import os
import shutil
import signal
import subprocess
import sys
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from signing.services import PkiServices
from tests.conftest import CRASHING, TITLECERT, Instance, make_instance, serve_pki
from tests.e2e.test_jobs import job_units, query, registered_certificates, session

SESSION_UNITS = ("publicity-table", "results-list", "review-report")


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    inst = make_instance(
        tmp_path_factory.mktemp("continue") / "home",
        TITLECERT_CONVERT_WORKERS="2",
        TITLECERT_SIGN_WORKERS="2",
    )
    inst.run("init")
    return inst


def issue(inst: Instance, source: Path, out: Path) -> tuple[int, dict[str, Any], str]:
    proc = inst.run("issue", str(source), "--out", str(out), "--json", check=False)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else {}, proc.stderr


def edit(source: Path, change: Any) -> None:
    doc = json.loads(source.read_text(encoding="utf-8"))
    change(doc)
    source.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def image_sizes(pdf: Path) -> set[tuple[int, int]]:
    return {
        (im.image.width, im.image.height) for page in PdfReader(pdf).pages for im in page.images if im.image
    }


class TsaFailingAfterPreflight(PkiServices):
    """The DEMO services whose TSA answers the preflight's one request, then refuses: a fault that
    strikes mid-run, after every check before the job passed."""

    answered = 0

    def timestamp(self, request_der: bytes) -> bytes:
        self.answered += 1
        if self.answered > 1:
            raise ValueError("the TSA is down")  # the service answers HTTP 400
        return super().timestamp(request_der)


def test_tsa_down_then_photo_corrected_the_same_job_finishes(tmp_path: Path) -> None:
    inst = make_instance(
        tmp_path / "home",
        TITLECERT_SIGNATURE_LEVEL="B-LTA",
        TITLECERT_CONVERT_WORKERS="2",
        TITLECERT_SIGN_WORKERS="2",
    )
    inst.run("init")
    source = session(tmp_path, 3, seed=4, approval=81)
    out = tmp_path / "out"
    port = int(inst.pki_url.rsplit(":", 1)[1])
    with TsaFailingAfterPreflight(inst.home / "pki", services_url=inst.pki_url).running("127.0.0.1", port):
        code, first, _ = issue(inst, source, out)
    assert code == 1
    with serve_pki(inst):
        job = first["job"]
        units = job_units(inst, job)
        awards = [u for u in units if u[1] == "award"]
        numbers = [u[3] for u in awards]
        assert len(awards) == 3 and {u[2] for u in awards} == {"failed"}
        assert {u[2] for u in units if u[1] in SESSION_UNITS} == {"registered"}, (
            "session documents need no TSA"
        )
        results_list = (out / "results-list.pdf").read_bytes()

        # Meanwhile the operator replaces the second applicant's photo (same person, a better scan).
        doc = json.loads(source.read_text(encoding="utf-8"))
        photo = tmp_path / doc["applicants"][1]["photo"]
        with Image.open(photo) as im:
            better = im.convert("RGB").resize((im.width * 3 // 4, im.height * 3 // 4))
        buf = io.BytesIO()
        better.save(buf, "PNG")
        corrected = photo.with_name("corrected.png")
        corrected.write_bytes(buf.getvalue())
        edit(source, lambda d: d["applicants"][1].__setitem__("photo", str(corrected.relative_to(tmp_path))))
        code, second, stderr = issue(inst, source, out)
        assert code == 0, stderr
        assert second["job"] == job and second["errors"] == []
        assert any(
            f"job {job} continued with the corrected session: 1 unit(s)" in w for w in second["warnings"]
        )
        listed = [d for d in second["documents"] if d["kind"] == "certificate"]
        assert [d["certificate_no"] for d in listed] == numbers, "same numbers, in the same order"
        seqs = [int(n[-6:]) for n in numbers]
        assert seqs == list(range(seqs[0], seqs[0] + 3)), "consecutive: none skipped"
        assert query(inst, "select count(*) from issue_jobs") == [(1,)]
        assert query(inst, "select state from issue_jobs where id = ?", job) == [("completed",)]
        assert {u[2] for u in job_units(inst, job)} == {"registered"}
        kinds = query(inst, "select kind, count(*) from issue_units group by kind order by kind")
        assert kinds == [
            ("award", 3),
            ("draft-notice", 1),  # sealed by the committee: it waited for the TSA with the awards
            ("publicity-table", 3),
            ("results-list", 1),
            ("review-report", 1),
        ]
        assert (out / "results-list.pdf").read_bytes() == results_list, "session documents issued once"
        assert sorted(registered_certificates(inst, numbers)) == numbers
        issued = query(inst, "select subject from audit_log where action = 'certificate-issued' order by id")
        assert sorted(s for (s,) in issued) == numbers, "one audit entry per certificate"
        [cert] = [Path(d["path"]) for d in listed if d["certificate_no"] == numbers[1]]
        assert (better.width, better.height) in image_sizes(cert), "the corrected photo is the one printed"
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
        paths = [d["path"] for d in manifest]
        assert len(paths) == len(set(paths)) == 3 * 3 + 3 + 3  # awards, publicity tables, list, report, draft
        reports = json.loads(inst.run("verify", "--json", *(d["path"] for d in listed)).stdout)
        assert [(r["verdict"], r["status"]) for r in reports] == [("valid", "valid")] * 3


def test_a_correction_to_a_registered_award_is_refused_and_the_job_left_as_it_was(
    office: Instance, tmp_path: Path
) -> None:
    source = session(tmp_path, 3, seed=4, approval=82)
    out = tmp_path / "out"
    with (tmp_path / "crash.log").open("wb") as log:  # of 9 units: 1+ award registered
        argv = [sys.executable, str(CRASHING), "registered:7", "issue", str(source), "--out", str(out)]
        proc = subprocess.Popen(argv, env=office.env, stdout=log, stderr=log, start_new_session=True)
    try:
        assert proc.wait(timeout=400) == -signal.SIGKILL, (tmp_path / "crash.log").read_text()
    finally:
        with suppress(ProcessLookupError):  # what the killed run started (its sealing processes)
            os.killpg(proc.pid, signal.SIGKILL)
    [(job, fingerprint)] = query(
        office, "select id, fingerprint from issue_jobs where out_dir = ?", str(out.resolve())
    )
    before = job_units(office, job)
    done = [u for u in before if u[1] == "award" and u[2] == "registered"]
    assert done and len([u for u in before if u[2] != "registered"]) == 2
    row = query(office, "select applicant from issue_units where job_id = ? and seq = ?", job, done[0][0])[0][
        0
    ]
    original = source.read_text(encoding="utf-8")

    edit(source, lambda d: d["applicants"][row].__setitem__("name", d["applicants"][row]["name"] + "华"))
    code, _, stderr = issue(office, source, out)
    name = json.loads(source.read_text(encoding="utf-8"))["applicants"][row]["name"]
    assert code == 1
    assert f"job {job} writing to {out.resolve()} cannot be continued with the corrected session" in stderr
    assert f"applicants row {row + 1} ({name}): the correction changes name" in stderr
    assert f"registered already as {done[0][3]}" in stderr and f"titlecert reissue {done[0][3]}" in stderr
    assert "Traceback" not in stderr and "Error" not in stderr  # no library exception reaches the operator
    assert job_units(office, job) == before
    assert query(office, "select id, fingerprint, state from issue_jobs")[-1] == (job, fingerprint, "running")

    source.write_text(original, encoding="utf-8")  # a changed vote: the job was numbered from the old one
    edit(source, lambda d: d["applicants"][row]["vote"].__setitem__("agree", 0))
    code, _, stderr = issue(office, source, out)
    assert code == 1 and f"applicants row {row + 1} (" in stderr and "no longer passes" in stderr
    assert job_units(office, job) == before

    source.write_text(original, encoding="utf-8")  # reverted: the same command finishes the same job
    code, result, stderr = issue(office, source, out)
    assert code == 0, stderr
    assert result["job"] == job and result["errors"] == []
    assert [d["certificate_no"] for d in result["documents"] if d["kind"] == "certificate"] == [
        u[3] for u in before if u[1] == "award"
    ]
    assert query(office, "select state from issue_jobs where id = ?", job) == [("completed",)]


def test_another_session_into_the_folder_still_abandons_the_unfinished_job(
    office: Instance, tmp_path: Path
) -> None:
    tools = tmp_path / "bin"  # no LibreOffice: every unit fails at once, the jobs stay unfinished
    tools.mkdir()
    (tools / "fc-list").symlink_to(shutil.which("fc-list") or "fc-list")
    env = {**office.env, "PATH": f"{tools}{os.pathsep}{TITLECERT.parent}"}
    no_office = Instance(office.home, env, office.public_url, office.pki_url)
    out = tmp_path / "out"
    code, first, _ = issue(no_office, session(tmp_path, 2, seed=6, approval=83), out)
    assert code == 1
    other = session(tmp_path, 2, seed=6, approval=84, name="other.json")  # another 批准文号: another session
    code, second, _ = issue(no_office, other, out)
    # Its applicants are the first's: that job registered nothing of them, so abandoning it gives
    # them back and they are not refused as a second application of the year (docs/domain.md).
    assert code == 1 and second["job"] != first["job"]
    assert any(
        f"unfinished job {first['job']} writing to this folder was abandoned" in w for w in second["warnings"]
    )
    assert query(office, "select state from issue_jobs where id = ?", first["job"]) == [("abandoned",)]
