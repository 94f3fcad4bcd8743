"""Suspension pending an investigation: suspended -> reinstated or revoked, each step audited, on
SQLite and, when reachable, PostgreSQL (TEST_POSTGRES_URL)."""

import datetime as dt

import pytest

from registry import lifecycle
from registry.db import Registry
from registry.errors import Conflict
from tests.integration.test_lifecycle_and_audit import AT, OFFICE, certificate

LATER = AT + dt.timedelta(days=3)


def test_suspend_reinstate_revoke_each_audited(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("S1"))
        record = lifecycle.suspend(ledger, "S1", reason="举报材料造假，调查中", at=AT, actor=OFFICE)
        assert (record.status, record.status_reason) == ("suspended", "举报材料造假，调查中")
        with pytest.raises(Conflict, match="S1 is already suspended since 2026-03-01 .*reinstate or revoke"):
            lifecycle.suspend(ledger, "S1", reason="again", at=AT, actor=OFFICE)
        lifecycle.reinstate(ledger, "S1", reason="调查结束，未发现问题", at=LATER, actor=OFFICE)
        assert ledger.certificates.by_number("S1").status == "valid"  # type: ignore[union-attr]
        with pytest.raises(Conflict, match="S1 is valid, not suspended: nothing to reinstate"):
            lifecycle.reinstate(ledger, "S1", reason="again", at=LATER, actor=OFFICE)
        lifecycle.suspend(ledger, "S1", reason="再次举报", at=LATER, actor=OFFICE)
        lifecycle.revoke(ledger, "S1", reason="评审终止：申报材料弄虚作假", at=LATER, actor=OFFICE)
        assert ledger.certificates.by_number("S1").status == "revoked"  # type: ignore[union-attr]
    with registry.transaction() as ledger:
        steps = [(e.action, e.actor, e.role, e.detail) for e in ledger.audit.entries()]
        assert ledger.audit.verify().intact
    assert [s[0] for s in steps] == [
        "certificate-suspended",
        "certificate-reinstated",
        "certificate-suspended",
        "certificate-revoked",
    ]
    assert all(s[1:3] == ("office-1", "committee-office") for s in steps)
    assert "调查结束，未发现问题" in steps[1][3]


def test_a_revoked_or_superseded_certificate_is_not_suspended(registry: Registry) -> None:
    with registry.transaction() as ledger:
        for no in ("S2", "S3", "S4"):
            ledger.certificates.add(certificate(no))
        lifecycle.revoke(ledger, "S2", reason="x", at=AT, actor=OFFICE)
        lifecycle.supersede(ledger, "S3", by="S4", reason="更正", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="S2 was already revoked"):
            lifecycle.suspend(ledger, "S2", reason="y", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="S3 was already superseded"):
            lifecycle.suspend(ledger, "S3", reason="y", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="S2 is revoked, not suspended"):
            lifecycle.reinstate(ledger, "S2", reason="y", at=AT, actor=OFFICE)


def test_a_suspended_certificate_is_not_superseded_until_reinstated(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("S5"))
        ledger.certificates.add(certificate("S6"))
        lifecycle.suspend(ledger, "S5", reason="调查中", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="S5 is suspended pending an investigation.*reinstate it first"):
            lifecycle.supersede(ledger, "S5", by="S6", reason="更正", at=AT, actor=OFFICE)
        lifecycle.suspend(ledger, "S6", reason="调查中", at=AT, actor=OFFICE)
        lifecycle.reinstate(ledger, "S5", reason="查无问题", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="S6 is suspended"):
            lifecycle.supersede(ledger, "S5", by="S6", reason="更正", at=AT, actor=OFFICE)
