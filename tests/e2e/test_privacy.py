"""What the site writes down: no full ID number in any page, API answer or log line, and QR tokens
in the log only hashed. Reads `titlecert serve`'s log after its own requests (and whatever the
other tests of the run sent before)."""

import hashlib

import requests

from tests.conftest import SERVE_LOG, Instance, Issued, passed_applicants, token_of


def ref(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def test_no_full_id_number_in_pages_answers_or_logs(server: str, instance: Instance, issued: Issued) -> None:
    holders = passed_applicants()
    bodies: list[str] = [requests.get(f"{server}/", timeout=10).text]
    for i, holder in enumerate(holders):
        token = token_of(issued, i)
        bodies.append(requests.get(f"{server}/v/{token}", timeout=10).text)
        bodies.append(requests.get(f"{server}/api/v1/certificates/{token}", timeout=10).text)
        for body in (
            {"id_number": holder["id_number"]},
            {"name": holder["name"], "id_number": holder["id_number"]},
        ):
            r = requests.post(f"{server}/api/v1/certificates/{token}/match", json=body, timeout=10)
            assert r.status_code == 200
            bodies.append(r.text)
    r = requests.post(
        f"{server}/api/v1/verify", files={"file": ("c.pdf", issued.pdf(0), "application/pdf")}, timeout=60
    )
    assert r.json()["verdict"] == "valid"
    bodies.append(r.text)
    log = (instance.home / SERVE_LOG).read_text(encoding="utf-8")
    assert "verify.web.access" in log and "/api/v1/certificates/<token:" in log  # the log is being written
    for holder in holders:
        number = holder["id_number"]
        for text in (*bodies, log):
            # The masked form (first 6, last 4) may appear; the birth date between them may not.
            assert number not in text and number.lower() not in text and number[6:14] not in text
        assert holder["name"] not in log


def test_tokens_appear_in_the_access_log_only_hashed(server: str, instance: Instance, issued: Issued) -> None:
    token = token_of(issued, 0)
    requests.get(f"{server}/v/{token}", timeout=10)
    requests.get(f"{server}/api/v1/certificates/{token}", timeout=10)
    requests.post(f"{server}/api/v1/certificates/{token}/match", json={"name": "张三"}, timeout=10)
    requests.get(f"{server}/v/{token}/extra", timeout=10)  # no route: still redacted
    log = (instance.home / SERVE_LOG).read_text(encoding="utf-8")
    access = [line for line in log.splitlines() if " verify.web.access: " in line]
    hashed = f"<token:{ref(token)}>"
    for path in (
        f"/v/{hashed}",
        f"/api/v1/certificates/{hashed}",
        f"/api/v1/certificates/{hashed}/match",
        f"/v/{hashed}/extra",
    ):
        assert any(f" {path} " in line for line in access), path
    assert any(f" GET /v/{hashed} 200 " in line for line in access)
    assert any(line.startswith(("20", "19")) and "Z INFO" in line for line in access)  # UTC timestamps
    for i in range(len(issued.documents)):
        assert token_of(issued, i) not in log
