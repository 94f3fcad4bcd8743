"""Re-issue, admin tokens, the audit log and the holder's page, as the office, an employer and the
holder meet them: the CLI and `titlecert serve` over the shared demo instance."""

import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import REPO, Instance, Issued, passed_applicants, sample_session_doc
from titlecert.app import create_app
from titlecert.settings import from_env
from verify.web import EXTENSION as VERIFY

REASON = "姓名有误，更正后重新颁发"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def as_actor(instance: Instance, actor: str, **env: str) -> Instance:
    """The same instance, run by a named operator (TITLECERT_ACTOR) and with other settings."""
    return Instance(
        instance.home,
        {**instance.env, "TITLECERT_ACTOR": actor, **env},
        instance.public_url,
        instance.pki_url,
    )


def audit_entries(instance: Instance) -> list[dict[str, Any]]:
    proc = instance.run("admin", "audit", "show", "--limit", "10000")
    return [json.loads(line) for line in proc.stdout.splitlines()]


@dataclass
class Reissued:
    old: dict[str, Any]
    """The certificate replaced (the demo's fourth)."""
    new: dict[str, Any]
    """The corrected certificate."""
    forms: list[dict[str, Any]]
    """The new review-form copies."""
    old_forms: list[dict[str, Any]]


@pytest.fixture(scope="module")
def reissued(instance: Instance, issued: Issued, tmp_path_factory: pytest.TempPathFactory) -> Reissued:
    """The demo's fourth certificate re-issued with the holder's name corrected (the one extra session)."""
    old = issued.documents[3]
    holder = passed_applicants()[3]
    doc = sample_session_doc()
    doc["applicants"] = [
        dict(a, name="姜玮子") for a in doc["applicants"] if a["id_number"] == holder["id_number"]
    ]
    folder = tmp_path_factory.mktemp("reissue")
    session = folder / "corrected.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    office = as_actor(instance, "王老师")
    out = str(folder / "out")
    proc = office.run(
        "reissue",
        old["certificate_no"],
        "--session",
        str(session),
        "--out",
        out,
        "--reason",
        REASON,
        "--json",
    )
    result = json.loads(proc.stdout)
    [new] = [d for d in result["documents"] if d["kind"] == "certificate"]
    forms = [d for d in result["documents"] if d["kind"] == "review-form"]
    old_forms = [d for d in issued.of_kind("review-form") if d["certificate_no"] == old["certificate_no"]]
    return Reissued(old, new, forms, old_forms)


def test_reissue_issues_the_correction_and_supersedes_the_old(instance: Instance, reissued: Reissued) -> None:
    old, new = reissued.old, reissued.new
    assert new["certificate_no"] != old["certificate_no"] and new["supersedes"] == old["certificate_no"]
    assert new["verify_url"].startswith(instance.public_url + "/v/")
    assert new["holder_url"].startswith(instance.public_url + "/h/")
    assert sorted(f["copy"] for f in reissued.forms) == ["personnel-file", "unit-archive"]
    assert {f["certificate_no"] for f in reissued.forms} == {new["certificate_no"]}

    files = [old["path"], reissued.old_forms[0]["path"], new["path"], reissued.forms[0]["path"]]
    proc = instance.run("verify", "--json", *files, check=False)
    assert proc.returncode == 1
    reports = json.loads(proc.stdout)
    assert [(r["verdict"], r["status"], r["superseded_by"]) for r in reports] == [
        ("invalid", "superseded", new["certificate_no"]),
        ("invalid", "superseded", new["certificate_no"]),
        ("valid", "valid", None),
        ("valid", "valid", None),
    ]
    assert any(
        f"{old['certificate_no']} was superseded on " in r
        and f"by certificate {new['certificate_no']} ({REASON})" in r
        for r in reports[0]["reasons"]
    )

    entries = audit_entries(instance)
    superseded = next(e for e in entries if e["action"] == "certificate-superseded")
    assert (superseded["subject"], superseded["actor"], superseded["role"], superseded["detail"]) == (
        old["certificate_no"],
        "王老师",
        "cli",
        {"by": new["certificate_no"], "reason": REASON},
    )
    issue = next(
        e for e in entries if e["action"] == "certificate-issued" and e["subject"] == new["certificate_no"]
    )
    assert issue["detail"] == {"sha256": new["sha256"], "supersedes": old["certificate_no"]}
    assert entries.index(superseded) < entries.index(issue)


def test_the_old_scan_page_leads_to_the_new_certificate(server: str, reissued: Reissued) -> None:
    old_token = token_of(reissued.old["verify_url"])
    page = requests.get(reissued.old["verify_url"], timeout=10).text
    assert "已被新证书替代" in page and reissued.new["certificate_no"] in page and REASON in page
    assert f'href="/v/{old_token}/successor"' in page
    successor = requests.get(f"{server}/v/{old_token}/successor", timeout=10)
    assert successor.status_code == 200
    assert reissued.new["certificate_no"] in successor.text and "有效" in successor.text
    assert reissued.new["sha256"] in successor.text and reissued.old["sha256"] not in successor.text
    api = requests.get(f"{server}/api/v1/certificates/{old_token}", timeout=10).json()
    assert (api["status"], api["superseded_by"]) == ("superseded", reissued.new["certificate_no"])
    files = {"file": ("old.pdf", Path(reissued.old["path"]).read_bytes())}
    upload = requests.post(f"{server}/api/v1/verify", files=files, timeout=60).json()
    assert (upload["status"], upload["superseded_by"]) == ("superseded", reissued.new["certificate_no"])
    # The new certificate's holder sees the verifications of the one it replaced too.
    holder = requests.get(reissued.new["holder_url"], timeout=10).text
    assert reissued.old["certificate_no"] in holder and reissued.new["certificate_no"] in holder
    assert "扫码查看" in holder and "上传文件核验" in holder and "python-requests" in holder


def test_a_superseded_certificate_stays_replaced_and_its_award_issued_once(
    instance: Instance, reissued: Reissued, tmp_path: Path
) -> None:
    sample = str(REPO / "examples" / "session.json")
    again = instance.run(
        "reissue",
        reissued.old["certificate_no"],
        "--session",
        sample,
        "--out",
        str(tmp_path / "again"),
        "--reason",
        "x",
        check=False,
    )
    assert again.returncode == 1
    assert (
        f"certificate {reissued.old['certificate_no']} was already superseded on" in again.stderr
        and f"act on {reissued.new['certificate_no']} instead" in again.stderr
    )
    proc = instance.run(
        "issue", str(REPO / "examples" / "session.json"), "--out", str(tmp_path / "out"), "--json"
    )
    result = json.loads(proc.stdout)
    assert result["documents"] == []
    assert any(
        s.endswith(f"(姜伟子): already issued as {reissued.new['certificate_no']}") for s in result["skipped"]
    )


def test_a_reissue_needs_exactly_one_award(instance: Instance, issued: Issued, tmp_path: Path) -> None:
    doc = sample_session_doc()
    doc["approval"]["document_no"] = "渝职改办〔2026〕88号"  # four new awards
    session = tmp_path / "four.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    target = issued.documents[0]
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        before = db.execute("select count(*) from certificates").fetchone()
    proc = instance.run(
        "reissue",
        target["certificate_no"],
        "--session",
        str(session),
        "--out",
        str(tmp_path / "out"),
        "--reason",
        "x",
        check=False,
    )
    assert proc.returncode == 1
    assert "a re-issue needs exactly one passed applicant to issue, found 4" in proc.stderr
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        assert db.execute("select count(*) from certificates").fetchone() == before
        status = db.execute(
            "select status from certificates where certificate_no = ?", (target["certificate_no"],)
        )
        assert status.fetchone() == ("valid",)
    assert not (tmp_path / "out").exists()


def test_the_audit_log_verifies_and_a_tampered_row_is_named(
    instance: Instance, issued: Issued, tmp_path: Path
) -> None:
    ok = instance.run("admin", "audit", "verify")
    assert ok.stdout.startswith("audit log intact: ") and " entries, head " in ok.stdout
    first_issue = next(e for e in audit_entries(instance) if e["action"] == "certificate-issued")
    copy = tmp_path / "registry.sqlite3"
    with sqlite3.connect(instance.home / "registry.sqlite3") as live, sqlite3.connect(copy) as db:
        live.backup(db)
        db.execute(
            "update audit_log set detail = ? where id = ?",
            ('{"sha256":"' + "0" * 64 + '"}', first_issue["id"]),
        )
    tampered = as_actor(instance, "auditor", TITLECERT_DATABASE_URL=f"sqlite:///{copy}")
    proc = tampered.run("admin", "audit", "verify", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f"audit log broken at entry {first_issue['id']}: its content was changed after it was written "
        "(its hash does not match)"
    )
    assert instance.run("admin", "audit", "verify").returncode == 0, "the live log is untouched"


def test_admin_tokens_from_the_cli_open_the_api(instance: Instance, server: str, issued: Issued) -> None:
    created = instance.run("admin", "token", "create", "clerk-e2e", "--role", "archive-clerk")
    token = created.stdout.strip()
    assert token.startswith("tcadm_") and "\n" not in token and "shown only this once" in created.stderr
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        stored = db.execute("select token_hash from admin_tokens where name = 'clerk-e2e'").fetchone()
    assert stored == (hashlib.sha256(token.encode()).hexdigest(),)
    number = issued.documents[0]["certificate_no"]
    url = f"{server}/api/v1/admin/certificates/{number}"
    auth = {"Authorization": f"Bearer {token}"}
    r = requests.get(url, headers=auth, timeout=10)
    assert r.status_code == 200 and r.json()["holder_name"] == passed_applicants()[0]["name"]
    denied = requests.post(f"{url}/revoke", headers=auth, json={"reason": "x"}, timeout=10)
    assert denied.status_code == 403 and denied.headers["Content-Type"] == "application/problem+json"
    assert "clerk-e2e\tarchive-clerk\tcreated " in instance.run("admin", "token", "list").stdout
    assert instance.run("admin", "token", "revoke", "clerk-e2e").stdout == "revoked admin token 'clerk-e2e'\n"
    gone = requests.get(url, headers=auth, timeout=10)
    assert gone.status_code == 401 and gone.headers["Content-Type"] == "application/problem+json"
    entries = audit_entries(instance)
    mine = [(e["action"], e["role"]) for e in entries if "clerk-e2e" in (e["subject"], e["actor"])]
    assert mine == [
        ("admin-token-created", "cli"),
        ("certificate-viewed", "archive-clerk"),
        ("admin-token-revoked", "cli"),
    ]


def test_the_holder_sees_scan_api_and_upload_verifications(instance: Instance, issued: Issued) -> None:
    app = create_app(from_env(instance.env))
    client = app.test_client()
    certificate = issued.documents[0]
    token, secret = token_of(certificate["verify_url"]), token_of(certificate["holder_url"])
    holder = passed_applicants()[0]
    try:
        scan = client.get(
            f"/v/{token}", environ_base={"REMOTE_ADDR": "203.0.113.77"}, headers={"User-Agent": CHROME}
        )
        assert scan.status_code == 200
        api = client.get(
            f"/api/v1/certificates/{token}",
            environ_base={"REMOTE_ADDR": "198.51.100.23"},
            headers={"User-Agent": "curl/8.5.0"},
        )
        assert api.status_code == 200
        upload = client.post(
            "/verify",
            data={"file": (io.BytesIO(issued.pdf(0)), "c.pdf")},
            environ_base={"REMOTE_ADDR": "2001:db8:abcd:12::99"},
            headers={"User-Agent": FIREFOX},
        )
        assert upload.status_code == 200 and "这是一份真实、有效的职称证书" in upload.text
        page = client.get(f"/h/{secret}")
        english = client.get(f"/h/{secret}?lang=en")
        seen = client.get(f"/api/v1/holder/{secret}").json
    finally:
        app.extensions[VERIFY].registry.dispose()
    assert page.status_code == 200 and "<script" not in page.text and 'lang="zh-CN"' in page.text
    for line in (
        "扫码查看 · 证书 {no} · 结果：有效 · 查验者：203.0.113.0/24 · Chrome",
        "接口查询 · 证书 {no} · 结果：有效 · 查验者：198.51.100.0/24 · curl",
        "上传文件核验 · 证书 {no} · 结果：有效 · 查验者：2001:db8:abcd::/48 · Firefox",
    ):
        assert line.format(no=certificate["certificate_no"]) in page.text
    assert "黎*静" in page.text and "820000********0537" in page.text
    assert "Who verified my certificate" in english.text
    assert (
        f"QR code scanned · certificate {certificate['certificate_no']} · result: Valid · by: 203.0.113.0/24"
        in (english.text)
    )
    newest = seen["verifications"][:3]
    assert [(v["channel"], v["requester"]) for v in newest] == [
        ("upload", "2001:db8:abcd::/48 · Firefox"),
        ("api", "198.51.100.0/24 · curl"),
        ("scan", "203.0.113.0/24 · Chrome"),
    ]
    with sqlite3.connect(instance.home / "registry.sqlite3") as db:
        stored = " ".join(str(v) for row in db.execute("select * from verification_log") for v in row)
    for shown in (page.text, json.dumps(seen, ensure_ascii=False), stored):
        for secret_fact in (
            "203.0.113.77",
            "198.51.100.23",
            "2001:db8:abcd:12",
            holder["id_number"],
            holder["name"],
        ):
            assert secret_fact not in shown


def test_the_holder_page_over_http(server: str, instance: Instance, issued: Issued) -> None:
    r = requests.get(issued.documents[0]["holder_url"], timeout=10)
    assert r.status_code == 200 and "我的证书查验记录" in r.text
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    unknown_token = requests.get(f"{server}/v/{'A' * 32}", timeout=10)
    for path in (f"/h/{'A' * 32}", "/h/x", f"/h/{token_of(issued.documents[0]['verify_url'])}"):
        unknown = requests.get(server + path, timeout=10)
        assert (unknown.status_code, unknown.content) == (404, unknown_token.content)
    api_unknown = requests.get(f"{server}/api/v1/certificates/{'A' * 32}", timeout=10)
    holder_unknown = requests.get(f"{server}/api/v1/holder/{'A' * 32}", timeout=10)
    assert (holder_unknown.status_code, holder_unknown.content) == (404, api_unknown.content)
    mine = requests.get(f"{server}/api/v1/holder/{token_of(issued.documents[0]['holder_url'])}", timeout=10)
    assert mine.status_code == 200 and mine.json()["certificates"][0]["holder"] == "黎*静"
    log = (instance.home / "serve.log").read_text(errors="replace")
    assert token_of(issued.documents[0]["holder_url"]) not in log, "holder secrets never reach the logs"
