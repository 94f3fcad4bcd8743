"""Issuing as a resumable job, driven through the CLI as an operator would: `titlecert issue`
killed with SIGKILL at two points and run again, a failing document, LibreOffice missing, and the
JSON progress stream. Real LibreOffice, pyHanko and SQLite; the crash between sealing and
registering on PostgreSQL too."""

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from docgen.sample import write_sample
from tests.conftest import CRASHING, TITLECERT, Instance, as_another_session, make_instance, postgres_database


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    """An instance of this module's own, so that numbers and jobs are counted from nothing."""
    inst = make_instance(
        tmp_path_factory.mktemp("jobs") / "home", TITLECERT_CONVERT_WORKERS="2", TITLECERT_SIGN_WORKERS="2"
    )
    inst.run("init")
    return inst


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_office(request: pytest.FixtureRequest, office: Instance, tmp_path: Path) -> Iterator[Instance]:
    """The module's instance (SQLite), or one with its registry on PostgreSQL."""
    if request.param == "sqlite":
        yield office
        return
    with postgres_database("titlecert_jobs") as url:
        inst = make_instance(
            tmp_path / "pg-home",
            TITLECERT_DATABASE_URL=url,
            TITLECERT_CONVERT_WORKERS="2",
            TITLECERT_SIGN_WORKERS="2",
        )
        inst.run("init")
        yield inst


def query(inst: Instance, sql: str, *args: object) -> list[tuple[Any, ...]]:
    """Rows of `sql` (with ? placeholders) from the instance's registry, SQLite or PostgreSQL."""
    url = inst.env.get("TITLECERT_DATABASE_URL")
    if url is None:
        with closing(sqlite3.connect(inst.home / "registry.sqlite3", timeout=30)) as db:
            return db.execute(sql, args).fetchall()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.exec_driver_sql(sql.replace("?", "%s"), tuple(args))]
    finally:
        engine.dispose()


def session(
    tmp_path: Path,
    applicants: int,
    seed: int,
    approval: int,
    name: str = "session.json",
    *,
    own: bool = False,
) -> Path:
    """A synthetic session (seed 2 with 13 applicants: 12 pass the vote, 11 awards: the other pass is
    a delegated review, answered by a result letter), photos beside it, with
    an approval number of its own (so that its awards are new to the module's registry). `own`:
    and applicants of its own, not the seed's, whom another session of the year issued."""
    path = tmp_path / name
    write_sample(path, applicants, seed=seed)
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["approval"]["document_no"] = f"渝职改办〔2026〕{approval}号"
    if own:
        as_another_session(doc, doc["approval"]["document_no"])
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def progress_lines(stderr: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def job_units(inst: Instance, job: int) -> list[tuple[Any, ...]]:
    """(seq, kind, state, certificate_no, documents) of each unit, in order."""
    return query(
        inst,
        "select seq, kind, state, certificate_no, documents from issue_units where job_id = ? order by seq",
        job,
    )


def registered_certificates(inst: Instance, numbers: list[str]) -> dict[str, tuple[str, str]]:
    """number -> (sha256, storage_key) of the registered certificates among `numbers`."""
    rows = query(inst, "select certificate_no, sha256, storage_key from certificates")
    return {no: (sha, key) for no, sha, key in rows if no in numbers}


@pytest.fixture
def popen(office: Instance) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Background `titlecert` processes, each in its own process group, killed at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def test_a_run_killed_with_sigkill_is_finished_by_running_the_same_command(
    office: Instance, tmp_path: Path, popen: list[subprocess.Popen[bytes]]
) -> None:
    source = session(tmp_path, 13, seed=2, approval=71)
    out = tmp_path / "out"
    args = ["issue", str(source), "--out", str(out), "--json", "--progress", "json"]
    with (tmp_path / "first.log").open("wb") as log:
        argv = [str(TITLECERT), *args]
        proc = subprocess.Popen(argv, env=office.env, stdout=log, stderr=log, start_new_session=True)
    popen.append(proc)
    deadline = time.monotonic() + 400
    while not query(office, "select runner from issue_jobs where runner is not null"):
        assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "first.log").read_text()
        time.sleep(0.2)
    shown = office.run("jobs", "show", str(query(office, "select max(id) from issue_jobs")[0][0])).stdout
    assert f"being run by process {proc.pid} on " in shown
    second = office.run(*args, check=False)  # the same command again while the first works
    assert second.returncode == 1, second.stderr
    assert (
        f"is being run by process {proc.pid} on " in second.stderr and "titlecert jobs show" in second.stderr
    )
    while True:  # kill once a few awards are registered: a crash in the middle of the batch
        time.sleep(0.2)
        done = query(office, "select count(*) from issue_units where kind = 'award' and state = 'registered'")
        if done[0][0] >= 3 or proc.poll() is not None or time.monotonic() > deadline:
            break
    assert proc.poll() is None, f"the run ended before it was killed: {(tmp_path / 'first.log').read_text()}"
    os.killpg(proc.pid, signal.SIGKILL)  # the runner, its sealing processes and LibreOffice at once
    proc.wait(timeout=30)
    [(job, state)] = query(office, "select id, state from issue_jobs")
    assert state == "running"
    before = job_units(office, job)
    awards = [u for u in before if u[1] == "award"]
    numbers = [u[3] for u in awards]
    assert len(awards) == 11 and numbers == sorted(numbers) and len(set(numbers)) == 11
    registered_then = {u[3] for u in awards if u[2] == "registered"}
    assert len(registered_then) >= 3 and len(registered_then) < 11
    kept = registered_certificates(office, list(registered_then))
    assert set(kept) == registered_then, "exactly the units registered have registry rows"

    again = office.run(*args)  # the same command: it finds its job by the session's fingerprint
    result = json.loads(again.stdout)
    assert result["job"] == job and result["errors"] == []
    lines = progress_lines(again.stderr)
    assert lines and lines[0]["job"] == job and lines[-1]["done"] == lines[-1]["total"] == len(before)
    assert lines[-1]["registered"] == len(before) and lines[-1]["failed"] == 0

    after = job_units(office, job)
    assert {u[2] for u in after} == {"registered"}
    assert query(office, "select state, finished_at is not null from issue_jobs where id = ?", job) == [
        ("completed", 1)
    ]
    assert query(office, "select count(*) from issue_units where secrets is not null") == [(0,)]
    first, last = (int(n[-6:]) for n in (numbers[0], numbers[-1]))
    assert [int(n[-6:]) for n in numbers] == list(range(first, last + 1)), "contiguous, none lost"
    certificates = registered_certificates(office, numbers)
    assert sorted(certificates) == numbers, "each number registered once"
    archive = office.home / "archive"
    for number, (digest, key) in certificates.items():
        assert sha256(archive / key) == digest == sha256(out / "certificates" / f"{number}.pdf")
    for number in registered_then:
        assert certificates[number] == kept[number], (
            f"{number} was registered before the kill: not sealed again"
        )
    forms = [
        row for row in query(office, "select certificate_no, sha256 from documents") if row[0] in numbers
    ]
    assert len(forms) == len({sha for _, sha in forms}) == 22, "both review-form copies of every award, once"
    listed = [d for d in result["documents"] if d["kind"] == "certificate"]
    assert [d["certificate_no"] for d in listed] == numbers and all(d["holder_url"] for d in listed)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert len(manifest) == len({d["path"] for d in manifest}) == len(result["documents"])
    assert not list(out.rglob("*.part"))
    reports = json.loads(office.run("verify", "--json", *(d["path"] for d in listed)).stdout)
    assert [(r["verdict"], r["status"]) for r in reports] == [("valid", "valid")] * 11

    assert not (archive / "jobs" / str(job)).exists(), "the completed job's staging folder is deleted"
    assert not (office.home / "jobs" / "jobs" / str(job)).exists()  # the unpacked inputs too
    # The same folder left behind (as by a run stopped between completing and deleting it):
    (archive / "jobs" / str(job) / "sealed").mkdir(parents=True)
    (archive / "jobs" / str(job) / "session.json").write_text("{}")
    (archive / "jobs" / str(job) / "sealed" / "x.pdf").write_bytes(b"%PDF")
    assert f"job {job}: 2 staging copies deleted" in office.run("jobs", "clean").stdout
    assert (
        not (archive / "jobs" / str(job)).exists()
        and office.run("jobs", "clean").stdout == "nothing to clean\n"
    )


def test_killed_between_sealing_and_registering_the_unit_is_registered_without_sealing_again(
    any_office: Instance, tmp_path: Path, popen: list[subprocess.Popen[bytes]]
) -> None:
    office = any_office
    source = session(tmp_path, 3, seed=4, approval=72, name="small.json")
    out = tmp_path / "out"
    with (tmp_path / "crash.log").open("wb") as log:
        argv = [sys.executable, str(CRASHING), "sealed:2", "issue", str(source), "--out", str(out)]
        proc = subprocess.Popen(argv, env=office.env, stdout=log, stderr=log, start_new_session=True)
    popen.append(proc)  # LibreOffice may outlive the runner: killed with its process group at the end
    assert proc.wait(timeout=400) == -signal.SIGKILL, (tmp_path / "crash.log").read_text()
    [(job,)] = query(office, "select max(id) from issue_jobs")
    units = job_units(office, job)
    assert sorted(u[2] for u in units if u[2] in ("registered", "sealed")) == ["registered", "sealed"]
    [(_, kind, _, number, documents)] = [u for u in units if u[2] == "sealed"]
    sealed = json.loads(documents)
    if kind == "award":
        assert registered_certificates(office, [number]) == {}

    source.unlink()  # the job holds its session: resuming it by id needs no file
    result = json.loads(office.run("jobs", "resume", str(job), "--json").stdout)
    assert result["errors"] == []
    for doc in sealed:  # made again, LibreOffice and the seals would give other bytes
        assert sha256(out / doc["out_name"]) == doc["sha256"]
    if kind == "award":
        [(digest, _)] = registered_certificates(office, [number]).values()
        assert digest == next(d["sha256"] for d in sealed if d["kind"] == "certificate")
        forms = query(office, "select sha256 from documents where certificate_no = ?", number)
        assert sorted(f for (f,) in forms) == sorted(
            d["sha256"] for d in sealed if d["kind"] == "review-form"
        )
    shown = json.loads(office.run("jobs", "show", str(job), "--json").stdout)
    assert shown["state"] == "completed" and shown["done"] == shown["total"] == len(units)
    listed = [line.split()[:2] for line in office.run("jobs", "list").stdout.splitlines()]
    assert [str(job), "completed"] in listed


def test_a_broken_photo_is_refused_before_any_job_and_the_fixed_session_issues(
    office: Instance, tmp_path: Path
) -> None:
    # A unit failing mid-run is what test_without_libreoffice_every_unit_fails... provokes: a photo
    # that cannot be rendered no longer reaches a job (tests/e2e/test_preflight.py has the others).
    source = session(tmp_path, 3, seed=4, approval=73, name="photo.json", own=True)  # seed 4: issued by 72
    doc = json.loads(source.read_text(encoding="utf-8"))
    photo = tmp_path / doc["applicants"][1]["photo"]
    good = photo.read_bytes()
    photo.write_bytes(b"not a picture")
    out = tmp_path / "out"
    jobs_before = office.run("jobs", "list", "--json").stdout
    proc = office.run("issue", str(source), "--out", str(out), "--json", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"{source}: applicants row 2 ({doc['applicants'][1]['name']}), photo: " in proc.stderr
    assert office.run("jobs", "list", "--json").stdout == jobs_before and not out.exists()

    photo.write_bytes(good)
    fixed = json.loads(office.run("issue", str(source), "--out", str(out), "--json").stdout)
    assert fixed["errors"] == [] and not any("abandoned" in w for w in fixed["warnings"])
    certificates = [d for d in fixed["documents"] if d["kind"] == "certificate"]
    assert len(certificates) == 3
    [report] = json.loads(office.run("verify", "--json", certificates[1]["path"]).stdout)
    assert report["verdict"] == "valid"


def test_without_libreoffice_every_unit_fails_and_the_same_command_retries_them(
    office: Instance, tmp_path: Path
) -> None:
    source = session(tmp_path, 2, seed=6, approval=74, name="nolo.json")
    out = tmp_path / "out"
    args = ["issue", str(source), "--out", str(out), "--json", "--progress", "json"]
    tools = tmp_path / "bin"  # fontconfig's fc-list (the glyph check) but no soffice
    tools.mkdir()
    (tools / "fc-list").symlink_to(shutil.which("fc-list") or "fc-list")
    path = f"{tools}{os.pathsep}{TITLECERT.parent}"
    no_office = Instance(office.home, {**office.env, "PATH": path}, office.public_url, office.pki_url)
    proc = no_office.run(*args, check=False)
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert result["documents"] == [] and "LibreOffice (soffice) not found" in result["errors"][1]
    lines = progress_lines(proc.stderr)
    assert lines[-1]["failed"] == lines[-1]["done"] == lines[-1]["total"]
    sql = "select certificate_no from issue_units where job_id = ? and kind = 'award' order by seq"
    numbers = [n for (n,) in query(office, sql, result["job"])]

    again = json.loads(office.run(*args).stdout)
    assert again["job"] == result["job"] and again["errors"] == []
    assert [d["certificate_no"] for d in again["documents"] if d["kind"] == "certificate"] == numbers
    attempts = query(
        office, "select min(attempts), max(state) from issue_units where job_id = ?", result["job"]
    )
    assert attempts == [(1, "registered")]
