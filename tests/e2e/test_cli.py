"""The CLI as the committee office and a verifier use it."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from signing.devpki import create_demo_pki, rotate
from signing.roles import Role
from tests.conftest import (
    REPO,
    TITLECERT,
    Instance,
    Issued,
    as_another_session,
    free_port,
    make_instance,
    passed_applicants,
    postgres_database,
    sample_session_doc,
)
from tests.tamper import add_page_content, flip_byte_in_signed_range


def test_demo_issues_every_passed_applicant(issued: Issued, instance: Instance) -> None:
    passed = passed_applicants()
    assert len(passed) == 4
    assert [d["kind"] for d in issued.documents] == ["certificate"] * len(passed)
    session = REPO / "examples" / "session.json"
    assert issued.skipped == [
        f"{session}: applicants row 1 (许思婷): not passed (13 of 21 agreed, 2/3 needed)",
        f"{session}: applicants row 6 (曹然华): review terminated (评审终止) on 2025-12-20: "
        "评审过程中发现业绩材料弄虚作假，经查证属实",
        f"{session}: applicants row 7 (赵霞婷): not accepted (不予受理) on 2025-10-30: "
        "退回材料第3次提交评委会审核仍不符合要求",
        f"{session}: applicants row 8 (戴萍): objection upheld during the results publicity "
        "(公示异议属实) on 2025-12-24: 结果公示期间接到实名举报，经调查核实，代表性论文存在抄袭，异议属实",
    ]
    for doc in issued.documents:
        assert Path(doc["path"]).is_file()
        assert doc["verify_url"].startswith(instance.public_url + "/v/")
        assert len(doc["sha256"]) == 64
    numbers = [d["certificate_no"] for d in issued.documents]
    assert numbers == [f"CQZC2026{n:06d}" for n in range(1, len(passed) + 1)]


def test_demo_seals_at_b_lta_with_the_pki_services_it_started(issued: Issued, instance: Instance) -> None:
    assert f"DEMO PKI services (tsa, ocsp, crl) on {instance.pki_url}; sealing at B-LTA" in issued.log
    sealed = [d["path"] for d in issued.everything if d["kind"] in ("certificate", "review-form")]
    reports = json.loads(instance.run("verify", "--offline", "--json", *sealed).stdout)
    assert [r["verdict"] for r in reports] == ["valid"] * len(sealed) == ["valid"] * 12
    for report in reports:
        assert len(report["document_timestamps"]) == 1
        assert [s["modification_level"] for s in report["signatures"]] == ["FORM_FILLING", "LTA_UPDATES"]
    assert b"/DocTimeStamp" in issued.pdf(0) and b"/DSS" in issued.pdf(0)
    with pytest.raises(OSError):  # --no-serve stopped the services after issuing
        urllib.request.urlopen(f"{instance.pki_url}/healthz", timeout=2)  # noqa: S310 - loopback


def test_each_sealing_process_asks_ocsp_once_per_certificate_and_the_tsa_once_per_time_stamp(
    issued: Issued,
) -> None:
    """Each sealing process loads one validation context's fetchers and one timestamper for all the
    documents it seals (titlecert.sealing): each signing certificate's OCSP answer is fetched
    once per process, not once per seal, and the size-estimation time stamp once per process.
    Before the job, the preflight asks the TSA once and the responder once per seal certificate."""
    requests = re.findall(r'"POST /(\w+) HTTP', issued.log)
    both = len(issued.of_kind("certificate")) + len(issued.of_kind("review-form"))
    committee_only = len(issued.of_kind("draft-notice")) + len(issued.of_kind("result-letter"))
    assert both and committee_only  # the example has both kinds
    processes, rest = divmod(requests.count("ocsp") - 2, 3)  # committee, authority, TSA
    assert rest == 0 and 1 <= processes <= (os.cpu_count() or 1)
    # A time stamp per seal and one per document: two seals on an award's documents, one on the
    # committee's letters.
    assert requests.count("tsa") == 1 + processes + 3 * both + 2 * committee_only


def test_demo_serves_the_verify_site_with_the_pki_and_stops_both_on_ctrl_c(
    instance: Instance, issued: Issued
) -> None:
    """Run again, the demo issues nothing new, keeps the PKI up while it serves, and Ctrl-C stops both."""
    port = free_port()
    args = [str(TITLECERT), "demo", "--port", str(port), "--out", str(issued.out)]
    proc = subprocess.Popen(args, env=instance.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    raise AssertionError(f"demo did not serve: {proc.communicate()[1]}") from None
                time.sleep(0.2)
        with urllib.request.urlopen(f"{instance.pki_url}/healthz", timeout=5) as answer:  # noqa: S310
            assert answer.read() == b"ok"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert f"DEMO PKI services (tsa, ocsp, crl) on {instance.pki_url}" in err
    assert f"Verify page of certificate {issued.documents[0]['certificate_no']}" in out
    for url in (f"{instance.pki_url}/healthz", f"http://127.0.0.1:{port}/"):
        with pytest.raises(OSError):
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback


def test_verify_exit_status_and_json(instance: Instance, issued: Issued, tmp_path: Path) -> None:
    good = issued.documents[0]["path"]
    proc = instance.run("verify", "--json", good)
    [report] = json.loads(proc.stdout)
    assert (report["verdict"], report["status"], report["certificate_no"]) == (
        "valid",
        "valid",
        "CQZC2026000001",
    )
    assert [s["role"] for s in report["signatures"]] == ["committee", "authority"]
    assert set(report["signatures"][0]) >= {
        "signer",
        "signed_at",
        "intact",
        "trusted",
        "coverage",
        "modification_level",
    }

    bad = tmp_path / "bad.pdf"
    bad.write_bytes(flip_byte_in_signed_range(issued.pdf(0)))
    proc = instance.run("verify", good, str(bad), check=False)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "有效 / valid — CQZC2026000001",
        f"印章未通过验证 / seals fail — {bad}",
    ]
    full = instance.run("verify", "--verbose", "--lang", "en", str(bad), check=False).stdout
    assert "This file's seals do not pass verification" in full
    assert "Seal 1: unrecognised signer: failed (FAILED / HASH_FAILURE)" in full
    assert "Seal 2: unrecognised signer: failed (FAILED / HASH_FAILURE)" in full
    assert (
        "Covers: cannot be told: what it covers was altered" in full
        and "holds no recognised role" not in full
    )
    assert "Beijing time (UTC+8)" in full and "ENTIRE_" not in full and "INTACT:" not in full
    chinese = instance.run("verify", "--verbose", "--lang", "zh", good).stdout
    assert (
        "这是一份真实、有效的职称证书：CQZC2026000001" in chinese
        and "印章 2：核准机构：通过 (PASSED)" in chinese
    )
    assert not re.search(r"\b[a-z]{4,} [a-z]{3,}\b", chinese), "no English sentence in the Chinese report"


def test_offline_verification_says_the_registry_was_not_consulted(
    instance: Instance, issued: Issued, tmp_path: Path
) -> None:
    proc = instance.run("verify", "--offline", "--json", issued.documents[0]["path"])
    [report] = json.loads(proc.stdout)
    assert (report["verdict"], report["registry_consulted"]) == ("valid", False)
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(add_page_content(issued.pdf(0)))
    proc = instance.run("verify", "--offline", "--json", str(edited), check=False)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)[0]["verdict"] == "modified"


def test_trust_prints_the_anchor(instance: Instance) -> None:
    pem = instance.run("trust", "--pem").stdout
    assert pem.startswith("-----BEGIN CERTIFICATE-----") and pem.count("BEGIN CERTIFICATE") == 1
    assert pem == (instance.home / "pki" / "root-ca.pem").read_text()


def test_init_is_idempotent(instance: Instance) -> None:
    before = (instance.home / "pki" / "root-ca.pem").read_bytes()
    out = instance.run("init").stdout
    assert "keys     existing" in out
    assert (instance.home / "pki" / "root-ca.pem").read_bytes() == before


def test_issuing_the_same_session_again_issues_nothing_new(
    instance: Instance, issued: Issued, tmp_path: Path
) -> None:
    proc = instance.run("issue", str(REPO / "examples" / "session.json"), "--out", str(tmp_path), "--json")
    result = json.loads(proc.stdout)
    assert result["documents"] == []
    assert any("already issued as CQZC2026000001" in s for s in result["skipped"])


def test_bad_input_names_file_row_and_field_and_issues_nothing(
    instance: Instance, issued: Issued, tmp_path: Path
) -> None:
    doc = sample_session_doc()
    doc["approval"]["document_no"] = "渝职改办〔2026〕99号"  # a new award, so it would be issued
    doc["applicants"][3]["id_number"] = "820000198610141610"
    session = tmp_path / "bad.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        before = db.execute("select count(*) from certificates").fetchone()
    proc = instance.run("issue", str(session), "--out", str(out), check=False)
    assert proc.returncode == 2
    assert (
        f"{session}: applicants row 4 (何华), id_number: check character should be 'X', found '0'"
        in proc.stderr
    )
    assert "nothing was issued" in proc.stderr
    assert not out.exists()
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        assert db.execute("select count(*) from certificates").fetchone() == before


def test_revoke_then_verify_says_revoked(instance: Instance, issued: Issued) -> None:
    doc = issued.documents[2]
    proc = instance.run("revoke", doc["certificate_no"], "--reason", "评审终止：申报材料弄虚作假")
    assert f"revoked {doc['certificate_no']}" in proc.stdout
    proc = instance.run("verify", "--json", doc["path"], check=False)
    assert proc.returncode == 1
    [report] = json.loads(proc.stdout)
    assert (report["status"], report["verdict"]) == ("revoked", "invalid")
    assert any("评审终止：申报材料弄虚作假" in r for r in report["reasons"])
    again = instance.run("revoke", doc["certificate_no"], "--reason", "x", check=False)
    assert again.returncode == 1 and "already revoked" in again.stderr


def test_suspend_reinstate_then_revoke_through_the_cli(instance: Instance, tmp_path: Path) -> None:
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]  # one who passed, a person of this session's own
    session = tmp_path / "suspend.json"
    session.write_text(json.dumps(as_another_session(doc, "渝职改办〔2026〕420号"), ensure_ascii=False))
    result = json.loads(instance.run("issue", str(session), "--out", str(tmp_path / "out"), "--json").stdout)
    [cert] = [d for d in result["documents"] if d["kind"] == "certificate"]
    no, path = cert["certificate_no"], cert["path"]

    assert (
        instance.run("suspend", no, "--reason", "收到举报，调查中").stdout
        == f"suspended {no}: 收到举报，调查中\n"
    )
    proc = instance.run("verify", "--json", path, check=False)
    [report] = json.loads(proc.stdout)
    assert proc.returncode == 1 and (report["status"], report["verdict"]) == ("suspended", "invalid")
    assert "暂停使用（调查中）" in instance.run("verify", path, check=False).stdout
    again = instance.run("suspend", no, "--reason", "x", check=False)
    assert again.returncode == 1 and f"{no} is already suspended" in again.stderr
    assert "Traceback" not in again.stderr

    instance.run("reinstate", no, "--reason", "调查结束，未发现问题")
    [report] = json.loads(instance.run("verify", "--json", path).stdout)
    assert (report["status"], report["verdict"]) == ("valid", "valid")
    instance.run("suspend", no, "--reason", "再次举报")
    instance.run("revoke", no, "--reason", "评审终止")
    late = instance.run("suspend", no, "--reason", "x", check=False)
    assert late.returncode == 1 and "already revoked" in late.stderr
    lines = instance.run("admin", "audit", "show", "--limit", "10000").stdout.splitlines()
    entries = [json.loads(line) for line in lines]
    steps = [(e["action"], e["role"], e["detail"].get("reason")) for e in entries if e["subject"] == no]
    assert steps[1:] == [  # after its issue
        ("certificate-suspended", "cli", "收到举报，调查中"),
        ("certificate-reinstated", "cli", "调查结束，未发现问题"),
        ("certificate-suspended", "cli", "再次举报"),
        ("certificate-revoked", "cli", "评审终止"),
    ]


def test_configured_pkcs12_files_are_used(tmp_path: Path) -> None:
    office = create_demo_pki(tmp_path / "office", label="OFFICE")
    env = {}
    for role, signer in office.signers.items():
        env[f"TITLECERT_{role.value.upper()}_PKCS12"] = str(signer.pkcs12_path)
        env[f"TITLECERT_{role.value.upper()}_PASSWORD"] = signer.passphrase_path.read_text()
    inst = make_instance(tmp_path / "home", **env)
    assert "keys     configured" in inst.run("init").stdout
    assert inst.run("trust", "--pem").stdout == office.root_cert_path.read_text()
    assert not (tmp_path / "home" / "pki" / "committee.p12").exists()  # no demo PKI was made
    doc = sample_session_doc()
    doc["applicants"] = doc["applicants"][1:2]  # one who passed
    session = tmp_path / "one.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = json.loads(inst.run("issue", str(session), "--out", str(tmp_path / "out"), "--json").stdout)
    [report] = json.loads(inst.run("verify", "--json", result["documents"][0]["path"]).stdout)
    assert report["verdict"] == "valid"
    assert all("OFFICE" in s["signer"] for s in report["signatures"])

    # Rotation: the committee gets a new key from the same CA, the authority moves to a new CA.
    new_p12 = rotate(office.root_cert_path.parent, "committee", services_url=None)
    inst.env["TITLECERT_COMMITTEE_PASSWORD"] = new_p12.with_suffix(".pass").read_text()
    other = create_demo_pki(tmp_path / "office2", label="OFFICE2")
    inst.env["TITLECERT_AUTHORITY_PKCS12"] = str(other.signers[Role.AUTHORITY].pkcs12_path)
    inst.env["TITLECERT_AUTHORITY_PASSWORD"] = other.signers[Role.AUTHORITY].passphrase_path.read_text()
    inst.run("init")
    as_another_session(doc, "渝职改办〔2026〕77号")  # another session: its applicant another person
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    again = json.loads(inst.run("issue", str(session), "--out", str(tmp_path / "out2"), "--json").stdout)
    old, new = result["documents"][0]["path"], again["documents"][0]["path"]
    reports = json.loads(inst.run("verify", "--json", old, new).stdout)
    assert [r["verdict"] for r in reports] == ["valid", "valid"]
    assert (
        reports[0]["signatures"][0]["signer"] == reports[1]["signatures"][0]["signer"]
    )  # same name, new key
    assert "OFFICE2" in reports[1]["signatures"][1]["signer"]
    assert inst.run("trust", "--pem").stdout.count("BEGIN CERTIFICATE") == 2


def test_check_template_and_sample_commands(instance: Instance, tmp_path: Path) -> None:
    assert instance.run("check", str(REPO / "examples" / "session.xlsx")).stdout == (
        f"ok: {REPO / 'examples' / 'session.xlsx'}: 8 applicants: 4 passed, 1 failed the vote, "
        "1 review terminated (评审终止), 1 not accepted (不予受理), 0 deemed withdrawn (视为放弃申报), "
        "1 objection upheld during the results publicity (公示异议属实); 0 warning(s)\n"
        "one application a year across sessions: not checked (offline; --services checks it against the "
        "2025 sessions in the registry, and issue does)\n"
    )
    out = instance.run(
        "sample", "--applicants", "30", "--seed", "9", "--out", str(tmp_path / "s.xlsx")
    ).stdout
    assert "wrote" in out and len(list((tmp_path / "photos").glob("*.png"))) == 30
    assert "30 applicants" in instance.run("check", str(tmp_path / "s.xlsx")).stdout
    instance.run("template-xlsx", str(tmp_path / "blank.xlsx"))
    blank = instance.run("check", str(tmp_path / "blank.xlsx"), check=False)
    assert blank.returncode == 2
    assert "blank.xlsx: sheet 评审会 row 2, 评委会名称: required value is missing" in blank.stderr
    assert "blank.xlsx: sheet 申报人: at least 1 entry expected, found 0" in blank.stderr


def test_each_certificate_records_its_national_licence_identifier(instance: Instance, issued: Issued) -> None:
    from stdnum.iso7064 import mod_37_36

    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        rows = db.execute("select certificate_no, licence_id from certificates order by id").fetchall()
    for number, licence_id in rows[: len(issued.documents)]:
        parts = licence_id.split(".")
        assert ".".join(parts[:5]) == "1.2.156.3005.2" and parts[7] == number and parts[8] == "001"
        assert mod_37_36.is_valid("".join(parts[5:9]) + parts[9])


def test_the_whole_flow_on_postgresql(tmp_path: Path) -> None:
    """init, issue, verify and revoke with the registry on PostgreSQL (skipped, with why, if unreachable)."""
    with postgres_database("titlecert_e2e") as url:
        inst = make_instance(tmp_path / "home", TITLECERT_DATABASE_URL=url)
        assert "registry postgresql+psycopg://" in inst.run("init").stdout
        doc = sample_session_doc()
        doc["applicants"] = doc["applicants"][1:2]
        session = tmp_path / "one.json"
        session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        result = json.loads(inst.run("issue", str(session), "--out", str(tmp_path / "out"), "--json").stdout)
        [certificate] = [d for d in result["documents"] if d["kind"] == "certificate"]
        form = next(d for d in result["documents"] if d["kind"] == "review-form")
        reports = json.loads(inst.run("verify", "--json", certificate["path"], form["path"]).stdout)
        assert [(r["verdict"], r["status"]) for r in reports] == [("valid", "valid")] * 2
        inst.run("revoke", certificate["certificate_no"], "--reason", "评审终止")
        after = inst.run("verify", "--json", certificate["path"], form["path"], check=False)
        # the review form shares its certificate's status
        assert [r["status"] for r in json.loads(after.stdout)] == ["revoked", "revoked"]
