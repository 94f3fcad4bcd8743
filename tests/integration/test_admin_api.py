"""The admin API through Flask's test client, over the demo instance's trust settings and a
throwaway registry (SQLite and, when reachable, PostgreSQL): 401, 403 and 200 per role, problem+json."""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from registry.audit import Actor
from registry.db import Registry
from registry.models import IssueJob, IssueUnit, JobState, UnitState
from registry.staff import StaffRole
from tests.conftest import Instance, postgres_database
from tests.integration.test_lifecycle_and_audit import certificate
from titlecert.admin.api import EXTENSION as ADMIN
from titlecert.app import create_app
from titlecert.settings import from_env

SETUP = Actor("setup", "cli")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.sqlite3'}"
        return
    with postgres_database("titlecert_admin_api") as url:
        yield url


@pytest.fixture
def staff(instance: Instance, database_url: str) -> Iterator[tuple[FlaskClient, dict[str, str]]]:
    """A client of the app, three certificates and a token per role (plus a revoked one)."""
    registry = Registry(database_url)
    registry.migrate()
    with registry.transaction() as ledger:
        for no in ("N1", "N2", "N3"):
            ledger.certificates.add(certificate(no))
        tokens = ledger.staff
        at = dt.datetime.now(dt.UTC)
        headers = {role.value: tokens.create(role.value, role, actor=SETUP, at=at) for role in StaffRole}
        headers["revoked"] = tokens.create("gone", StaffRole.APPROVAL_AUTHORITY, actor=SETUP, at=at)
        tokens.revoke("gone", actor=SETUP, at=at)
    registry.dispose()
    app = create_app(from_env({**instance.env, "TITLECERT_DATABASE_URL": database_url}))
    yield app.test_client(), {k: f"Bearer {v}" for k, v in headers.items()}
    app.extensions[ADMIN].registry.dispose()


def _problem(response: TestResponse, status: int) -> dict[str, object]:
    assert response.status_code == status and response.mimetype == "application/problem+json"
    body = response.json
    assert isinstance(body, dict) and body["status"] == status and body["type"] == "about:blank"
    return body


def test_no_wrong_or_revoked_token_is_401(staff: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = staff
    for headers in (
        {},
        {"Authorization": "Bearer tcadm_" + "x" * 43},
        {"Authorization": auth["revoked"]},
        {"Authorization": "Basic c3RhZmY6c3RhZmY="},
    ):
        for response in (
            client.get("/api/v1/admin/certificates/N1", headers=headers),
            client.post("/api/v1/admin/certificates/N1/revoke", headers=headers, json={"reason": "x"}),
            client.get("/api/v1/admin/audit", headers=headers),
        ):
            _problem(response, 401)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/admin/certificates/N9").status_code == 401, "no existence leak before auth"


def test_every_role_reads_with_the_full_name(staff: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = staff
    for role in StaffRole:
        r = client.get("/api/v1/admin/certificates/N1", headers={"Authorization": auth[role.value]})
        assert r.status_code == 200
        assert r.json["holder_name"] == "张晓明" and r.json["holder_id"] == "500103********0030"
        assert r.headers["Cache-Control"] == "no-store"
    missing = client.get("/api/v1/admin/certificates/N9", headers={"Authorization": auth["archive-clerk"]})
    assert "no certificate numbered N9" in str(_problem(missing, 404)["detail"])
    audit = client.get("/api/v1/admin/audit", headers={"Authorization": auth["archive-clerk"]}).json
    viewed = [e for e in audit["entries"] if e["action"] == "certificate-viewed"]
    assert [(e["actor"], e["role"]) for e in viewed] == [(r.value, r.value) for r in StaffRole]
    assert audit["chain"]["intact"] is True and audit["chain"]["entries"] == len(audit["entries"])


def test_only_the_approval_authority_revokes(staff: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = staff
    reason = {"reason": "评审终止：申报材料弄虚作假"}
    for role in ("archive-clerk", "committee-office"):
        r = client.post(
            "/api/v1/admin/certificates/N1/revoke", headers={"Authorization": auth[role]}, json=reason
        )
        assert _problem(r, 403)["detail"] == f"The role {role} may not revoke."
    authority = {"Authorization": auth["approval-authority"]}
    assert client.get("/api/v1/admin/certificates/N1", headers=authority).json["status"] == "valid"
    _problem(client.post("/api/v1/admin/certificates/N1/revoke", headers=authority, json={}), 400)
    r = client.post("/api/v1/admin/certificates/N1/revoke", headers=authority, json=reason)
    assert r.status_code == 200
    assert (r.json["status"], r.json["status_reason"]) == ("revoked", "评审终止：申报材料弄虚作假")
    again = client.post("/api/v1/admin/certificates/N1/revoke", headers=authority, json=reason)
    assert "already revoked" in str(_problem(again, 409)["detail"])
    entries = client.get("/api/v1/admin/audit?after=0&limit=1000", headers=authority).json["entries"]
    revoked = [e for e in entries if e["action"] == "certificate-revoked"]
    assert [(e["subject"], e["actor"], e["detail"]) for e in revoked] == [
        ("N1", "approval-authority", {"reason": "评审终止：申报材料弄虚作假"})
    ]


def test_office_and_authority_supersede_the_clerk_does_not(staff: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = staff
    body = {"by": "N2", "reason": "证书信息更正"}
    clerk = {"Authorization": auth["archive-clerk"]}
    _problem(client.post("/api/v1/admin/certificates/N1/supersede", headers=clerk, json=body), 403)
    office = {"Authorization": auth["committee-office"]}
    _problem(client.post("/api/v1/admin/certificates/N1/supersede", headers=office, json={"by": "N2"}), 400)
    r = client.post("/api/v1/admin/certificates/N1/supersede", headers=office, json=body)
    assert r.status_code == 200 and (r.json["status"], r.json["superseded_by"]) == ("superseded", "N2")
    assert client.get("/api/v1/admin/certificates/N2", headers=office).json["supersedes"] == ["N1"]
    authority = {"Authorization": auth["approval-authority"]}
    r = client.post("/api/v1/admin/certificates/N2/supersede", headers=authority, json={**body, "by": "N3"})
    assert r.status_code == 200
    back = client.post(
        "/api/v1/admin/certificates/N3/supersede", headers=authority, json={**body, "by": "N1"}
    )
    assert "N1 was already superseded" in str(_problem(back, 409)["detail"])


def test_the_audit_log_of_the_api_verifies(
    staff: tuple[FlaskClient, dict[str, str]], database_url: str
) -> None:
    client, auth = staff
    authority = {"Authorization": auth["approval-authority"]}
    client.post("/api/v1/admin/certificates/N3/revoke", headers=authority, json={"reason": "评审终止"})
    registry = Registry(database_url)
    try:
        with registry.transaction() as ledger:
            check = ledger.audit.verify()
    finally:
        registry.dispose()
    # four tokens created, one revoked, one certificate revoked
    assert check.intact and check.entries == 6


def test_the_committee_office_follows_issuing_jobs(
    staff: tuple[FlaskClient, dict[str, str]], database_url: str
) -> None:
    client, auth = staff
    at = dt.datetime.now(dt.UTC)
    registry = Registry(database_url)
    try:
        with registry.transaction() as ledger:
            job = IssueJob(
                fingerprint="f" * 64,
                state=JobState.FAILED.value,
                out_dir="/srv/out",
                inputs="jobs/1/session.json",
                plan="{}",
                actor="office",
                error="1 of 2 units failed",
                created_at=at,
                updated_at=at,
            )
            award = IssueUnit(
                kind="award",
                label="certificate N7 (张晓明)",
                certificate_no="N7",
                form_no="F7",
                secrets="encrypted",
                state=UnitState.REGISTERED.value,
                attempts=0,
                updated_at=at,
            )
            listing = IssueUnit(
                kind="results-list",
                label="results-list.pdf",
                state=UnitState.FAILED.value,
                attempts=1,
                error="results-list.pdf: expected 1 to 200 page(s)",
                updated_at=at,
            )
            units = [award, listing]
            job_id = ledger.jobs.add(job, units).id
    finally:
        registry.dispose()
    office = {"Authorization": auth["committee-office"]}
    listed = client.get("/api/v1/admin/jobs", headers=office)
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "no-store"
    [summary] = listed.json["jobs"]
    assert (summary["id"], summary["state"], summary["total"], summary["done"]) == (job_id, "failed", 2, 2)
    assert summary["units"] == {"planned": 0, "sealed": 0, "registered": 1, "failed": 1, "abandoned": 0}
    shown = client.get(f"/api/v1/admin/jobs/{job_id}", headers=office).json
    assert [(u["label"], u["state"]) for u in shown["unit_list"]] == [
        ("certificate N7 (张晓明)", "registered"),
        ("results-list.pdf", "failed"),
    ]
    assert shown["unit_list"][1]["error"] == "results-list.pdf: expected 1 to 200 page(s)"
    assert "encrypted" not in json.dumps(shown), "a unit's secrets never leave the registry"
    for role in ("archive-clerk", "approval-authority"):
        r = client.get(f"/api/v1/admin/jobs/{job_id}", headers={"Authorization": auth[role]})
        assert _problem(r, 403)["detail"] == f"The role {role} may not read-jobs."
    for path in ("/api/v1/admin/jobs", f"/api/v1/admin/jobs/{job_id}"):
        _problem(client.get(path), 401)
        _problem(client.get(path, headers={"Authorization": auth["revoked"]}), 401)
    _problem(client.get("/api/v1/admin/jobs/999", headers=office), 404)


def test_the_authority_suspends_reinstates_then_revokes(staff: tuple[FlaskClient, dict[str, str]]) -> None:
    client, auth = staff
    url = "/api/v1/admin/certificates/N2"
    for role in ("archive-clerk", "committee-office"):
        for step in ("suspend", "reinstate"):
            r = client.post(f"{url}/{step}", headers={"Authorization": auth[role]}, json={"reason": "x"})
            assert _problem(r, 403)["detail"] == f"The role {role} may not suspend."
    authority = {"Authorization": auth["approval-authority"]}
    _problem(client.post(f"{url}/suspend", headers=authority, json={}), 400)
    r = client.post(f"{url}/suspend", headers=authority, json={"reason": "收到举报，调查中"})
    assert r.status_code == 200 and (r.json["status"], r.json["status_reason"]) == (
        "suspended",
        "收到举报，调查中",
    )
    again = client.post(f"{url}/suspend", headers=authority, json={"reason": "y"})
    assert "N2 is already suspended" in str(_problem(again, 409)["detail"])
    body = {"by": "N3", "reason": "更正"}
    refused = client.post(f"{url}/supersede", headers=authority, json=body)
    assert "reinstate it first" in str(_problem(refused, 409)["detail"])
    r = client.post(f"{url}/reinstate", headers=authority, json={"reason": "调查结束，未发现问题"})
    assert r.status_code == 200 and r.json["status"] == "valid"
    twice = client.post(f"{url}/reinstate", headers=authority, json={"reason": "y"})
    assert "not suspended" in str(_problem(twice, 409)["detail"])
    client.post(f"{url}/suspend", headers=authority, json={"reason": "再次举报"})
    r = client.post(f"{url}/revoke", headers=authority, json={"reason": "评审终止"})
    assert r.status_code == 200 and r.json["status"] == "revoked"
    late = client.post(f"{url}/suspend", headers=authority, json={"reason": "z"})
    assert "already revoked" in str(_problem(late, 409)["detail"])
    entries = client.get("/api/v1/admin/audit?after=0&limit=1000", headers=authority).json["entries"]
    steps = [(e["action"], e["actor"], e["detail"]) for e in entries if e["subject"] == "N2"]
    assert [s for s in steps if s[0] != "certificate-viewed"] == [
        ("certificate-suspended", "approval-authority", {"reason": "收到举报，调查中"}),
        ("certificate-reinstated", "approval-authority", {"reason": "调查结束，未发现问题"}),
        ("certificate-suspended", "approval-authority", {"reason": "再次举报"}),
        ("certificate-revoked", "approval-authority", {"reason": "评审终止"}),
    ]
