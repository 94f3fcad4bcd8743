"""The public verify site and API over HTTP, against `titlecert serve`."""

import json
import subprocess
from pathlib import Path

import requests

from tests.conftest import TITLECERT, Instance, Issued, free_port, passed_applicants, running
from tests.tamper import add_page_content, flip_byte_in_signed_range


def token_of(issued: Issued, index: int) -> str:
    return issued.documents[index]["verify_url"].rsplit("/", 1)[1]


def test_scan_page_shows_status_and_masked_holder(server: str, issued: Issued) -> None:
    r = requests.get(issued.documents[0]["verify_url"], timeout=10)
    assert r.status_code == 200
    page = r.text
    holder = passed_applicants()[0]  # 黎军静, a Macau residence permit
    assert "有效" in page and "黎*静" in page and "820000********0537" in page
    assert holder["name"] not in page and holder["id_number"] not in page
    for text in (
        "高级工程师",
        "重庆市工程技术大数据智能化专业高级职称评审委员会",
        "重庆市职称改革办公室",
        "渝职改办〔2026〕12号",
        issued.documents[0]["sha256"],
        server.split("//")[1],
    ):
        assert text in page
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert '<meta name="viewport"' in page and "<script" not in page


def test_certificate_api(server: str, issued: Issued) -> None:
    r = requests.get(f"{server}/api/v1/certificates/{token_of(issued, 0)}", timeout=10)
    assert r.status_code == 200
    body = r.json()
    assert body["certificate_no"] == "CQZC2026000001" and body["status"] == "valid"
    assert body["holder"] == "黎*静" and body["holder_id"] == "820000********0537"
    assert body["sha256"] == issued.documents[0]["sha256"]


def test_unknown_and_malformed_tokens_get_the_same_404(server: str) -> None:
    unknown = requests.get(f"{server}/api/v1/certificates/{'A' * 32}", timeout=10)
    malformed = requests.get(f"{server}/api/v1/certificates/not-a-token", timeout=10)
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.content == malformed.content
    assert unknown.headers["Content-Type"] == "application/problem+json"
    assert json.loads(unknown.content)["status"] == 404
    page_unknown = requests.get(f"{server}/v/{'A' * 32}", timeout=10)
    page_malformed = requests.get(f"{server}/v/x", timeout=10)
    assert page_unknown.status_code == page_malformed.status_code == 404
    assert page_unknown.content == page_malformed.content and "未找到" in page_unknown.text


def upload(server: str, data: bytes) -> dict:
    r = requests.post(
        f"{server}/api/v1/verify", files={"file": ("c.pdf", data, "application/pdf")}, timeout=60
    )
    assert r.status_code == 200
    return r.json()


def test_upload_genuine_and_tampered(server: str, issued: Issued) -> None:
    report = upload(server, issued.pdf(0))
    assert (report["verdict"], report["status"], report["certificate_no"]) == (
        "valid",
        "valid",
        "CQZC2026000001",
    )
    assert upload(server, flip_byte_in_signed_range(issued.pdf(0)))["verdict"] == "invalid"
    edited = upload(server, add_page_content(issued.pdf(0)))
    assert edited["verdict"] == "modified" and edited["reasons"]
    assert upload(server, b"not a pdf")["verdict"] == "malformed"


def test_upload_without_a_file_is_a_problem(server: str) -> None:
    r = requests.post(f"{server}/api/v1/verify", timeout=10)
    assert r.status_code == 400 and r.headers["Content-Type"] == "application/problem+json"


def test_revocation_shows_on_page_and_api(server: str, instance: Instance, issued: Issued) -> None:
    doc = issued.documents[1]
    subprocess.run(
        [str(TITLECERT), "revoke", doc["certificate_no"], "--reason", "评审终止"],
        env=instance.env,
        check=True,
        capture_output=True,
    )
    page = requests.get(doc["verify_url"], timeout=10).text
    assert "已撤销" in page and "评审终止" in page
    api = requests.get(f"{server}/api/v1/certificates/{token_of(issued, 1)}", timeout=10).json()
    assert (api["status"], api["status_reason"]) == ("revoked", "评审终止")
    assert upload(server, issued.pdf(1))["status"] == "revoked"


def test_upload_form_on_the_site(server: str, issued: Issued) -> None:
    home = requests.get(f"{server}/", timeout=10)
    assert 'enctype="multipart/form-data"' in home.text and 'name="file"' in home.text
    r = requests.post(
        f"{server}/verify", files={"file": ("c.pdf", issued.pdf(0), "application/pdf")}, timeout=60
    )
    assert r.status_code == 200
    assert (
        '<h1 class="status-label">有效</h1>' in r.text
        and "这是一份真实、有效的职称证书：CQZC2026000001" in r.text
    )
    assert "印章 1：评委会" in r.text and "印章 2：核准机构" in r.text
    tampered = requests.post(
        f"{server}/verify",
        files={"file": ("c.pdf", add_page_content(issued.pdf(0)), "application/pdf")},
        timeout=60,
    )
    assert '<h1 class="status-label">文件已被改动</h1>' in tampered.text and "真实、有效" not in tampered.text
    assert requests.post(f"{server}/verify", timeout=10).status_code == 400


def test_served_by_gunicorn_with_a_health_check(server: str, instance: Instance, issued: Issued) -> None:
    health = requests.get(f"{server}/healthz", timeout=10)
    assert (health.status_code, health.text) == (200, "ok\n")
    assert health.headers["Cache-Control"] == "no-store" and health.headers["Server"].startswith("gunicorn")
    requests.get(issued.documents[0]["verify_url"], timeout=10)
    log = (instance.home / "serve.log").read_text(errors="replace")
    assert "gunicorn" in log and "workers" in log
    assert token_of(issued, 0) not in log, "QR tokens must never reach the server's logs"


def test_health_check_fails_when_the_registry_does_not_answer(instance: Instance, tmp_path: Path) -> None:
    broken = Instance(instance.home, dict(instance.env), f"http://127.0.0.1:{free_port()}", instance.pki_url)
    broken.env["TITLECERT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'no-such-folder' / 'registry.sqlite3'}"
    broken.env["TITLECERT_WEB_WORKERS"] = "1"
    port = broken.public_url.rsplit(":", 1)[1]
    with running(
        broken,
        ["serve", "--port", port],
        probe_url=broken.public_url + "/",
        log_name="broken.log",
        timeout=30,
    ):
        health = requests.get(f"{broken.public_url}/healthz", timeout=10)
        assert health.status_code == 503 and health.headers["Cache-Control"] == "no-store"
        assert "1 workers" in (instance.home / "broken.log").read_text()


def test_demo_serves_with_the_same_server(instance: Instance, issued: Issued) -> None:
    port = str(free_port())
    with running(
        instance,
        ["demo", "--out", str(issued.out), "--port", port],
        probe_url=f"http://127.0.0.1:{port}/healthz",
        log_name="demo.log",
        timeout=120,
    ):
        page = requests.get(f"http://127.0.0.1:{port}/v/{token_of(issued, 0)}", timeout=10)
        assert page.status_code == 200 and page.headers["Server"].startswith("gunicorn")
    assert "with gunicorn" in (instance.home / "demo.log").read_text()
