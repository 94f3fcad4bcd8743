"""The certificate lifecycle and the clerks' accounts as rules, run on the in-memory ledger (the
fast unit tier) and on SQLite, so the fake is held to what the registry does."""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from registry import lifecycle
from registry.audit import Actor, AuditAction
from registry.db import Registry
from registry.errors import Conflict, NotFound
from registry.models import CertificateRecord
from registry.repository import hash_token
from tests.fakes.ledger import FakeLedger
from tests.records import certificate_record
from titlecert.clerks import accounts
from titlecert.errors import InvalidValue

AT = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
OFFICE = Actor("office", "cli")
UNIT = "12500000965RMH3W7D"
PASSWORD = "a long enough secret"


@pytest.fixture(params=["fake", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "fake":
        yield FakeLedger()
        return
    registry = Registry(f"sqlite:///{tmp_path / 'registry.db'}")
    registry.migrate()
    try:
        with registry.transaction() as real:
            yield real
    finally:
        registry.dispose()


def certificate(no: str, *, key: str | None = None) -> CertificateRecord:
    return certificate_record(no, token="T" + no, issue_key=key or hash_token("K" + no), created_at=AT)


def actions(ledger: Any) -> list[tuple[str, str]]:
    return [(e.action, e.subject) for e in ledger.audit.entries()]


def test_a_revocation_is_final_and_audited(ledger: Any) -> None:
    ledger.certificates.add(certificate("N1"))
    record = lifecycle.revoke(ledger, "N1", reason="评审终止", at=AT, actor=OFFICE)
    assert (record.status, record.status_reason) == ("revoked", "评审终止")
    with pytest.raises(Conflict, match="already revoked"):
        lifecycle.revoke(ledger, "N1", reason="again", at=AT, actor=OFFICE)
    with pytest.raises(NotFound):
        lifecycle.revoke(ledger, "N9", reason="x", at=AT, actor=OFFICE)
    assert actions(ledger) == [(AuditAction.CERTIFICATE_REVOKED, "N1")]


def test_supersession_chains_and_the_lineage_runs_newest_first(ledger: Any) -> None:
    for no in ("N1", "N2", "N3"):
        ledger.certificates.add(certificate(no))
    lifecycle.supersede(ledger, "N1", by="N2", reason="姓名有误", at=AT, actor=OFFICE)
    lifecycle.supersede(ledger, "N2", by="N3", reason="专业有误", at=AT, actor=OFFICE)
    n1 = ledger.certificates.by_number("N1")
    assert lifecycle.current(ledger.certificates, n1).certificate_no == "N3"
    assert [r.certificate_no for r in lifecycle.lineage(ledger.certificates, n1)] == ["N3", "N2", "N1"]
    with pytest.raises(Conflict, match="already superseded .* by N2"):
        lifecycle.revoke(ledger, "N1", reason="x", at=AT, actor=OFFICE)


def test_a_certificate_cannot_supersede_itself_or_be_superseded_by_one_not_in_force(ledger: Any) -> None:
    ledger.certificates.add(certificate("N1"))
    ledger.certificates.add(certificate("N2"))
    with pytest.raises(Conflict, match="itself"):
        lifecycle.supersede(ledger, "N1", by="N1", reason="x", at=AT, actor=OFFICE)
    with pytest.raises(NotFound):
        lifecycle.supersede(ledger, "N1", by="N9", reason="x", at=AT, actor=OFFICE)
    lifecycle.revoke(ledger, "N2", reason="x", at=AT, actor=OFFICE)
    with pytest.raises(Conflict, match="revoked"):
        lifecycle.supersede(ledger, "N1", by="N2", reason="x", at=AT, actor=OFFICE)
    assert ledger.certificates.by_number("N1").status == "valid"


def test_a_reissue_takes_over_the_award_key(ledger: Any) -> None:
    key = "k" * 64
    ledger.certificates.add(certificate("N1", key=key))
    lifecycle.supersede(ledger, "N1", by="N2", reason="更正", at=AT, actor=OFFICE, issue_key=key)
    ledger.certificates.add(certificate("N2", key=key))
    assert ledger.certificates.by_issue_key(key).certificate_no == "N2"
    with pytest.raises(Conflict):
        ledger.certificates.add(certificate("N3", key=key))


def test_clerk_accounts_refuse_a_taken_name_a_short_password_and_a_malformed_unit(ledger: Any) -> None:
    accounts.create(ledger, "alice", PASSWORD, actor=OFFICE, at=AT)
    with pytest.raises(Conflict, match="alice"):
        accounts.create(ledger, "alice", PASSWORD, actor=OFFICE, at=AT)
    with pytest.raises(InvalidValue, match="12 characters"):
        accounts.create(ledger, "bob", "short", actor=OFFICE, at=AT)
    with pytest.raises(InvalidValue, match="统一社会信用代码"):
        accounts.assign(ledger, "alice", "12500000965RMH3W7X", actor=OFFICE)
    with pytest.raises(NotFound):
        accounts.assign(ledger, "nobody", UNIT, actor=OFFICE)
    assert ledger.clerks.by_name("bob") is None


def test_assigning_twice_changes_nothing_and_removal_says_whether_it_did(ledger: Any) -> None:
    accounts.create(ledger, "alice", PASSWORD, actor=OFFICE, at=AT)
    assert accounts.assign(ledger, "alice", UNIT, actor=OFFICE) is True
    assert accounts.assign(ledger, "alice", UNIT, actor=OFFICE) is False
    assert ledger.clerks.units_of(ledger.clerks.by_name("alice")) == [UNIT]
    assert accounts.assign(ledger, "alice", UNIT, actor=OFFICE, remove=True) is True
    assert accounts.assign(ledger, "alice", UNIT, actor=OFFICE, remove=True) is False
    changes = [e.detail for e in ledger.audit.entries()]
    assert [c if isinstance(c, dict) else json.loads(c) for c in changes] == [
        {"change": "created", "password": True},
        {"change": "assigned", "unit": UNIT},
        {"change": "unassigned", "unit": UNIT},
    ]


def test_only_an_enabled_clerk_with_the_right_password_signs_in(ledger: Any) -> None:
    accounts.create(ledger, "alice", PASSWORD, actor=OFFICE, at=AT)
    accounts.create(ledger, "sso", None, actor=OFFICE, at=AT)
    assert accounts.authenticate(ledger, "alice", PASSWORD) is not None
    assert accounts.authenticate(ledger, "alice", PASSWORD.upper()) is None
    assert accounts.authenticate(ledger, "nobody", PASSWORD) is None
    assert accounts.authenticate(ledger, "sso", "") is None
    accounts.disable(ledger, "alice", actor=OFFICE, at=AT)
    assert accounts.authenticate(ledger, "alice", PASSWORD) is None
