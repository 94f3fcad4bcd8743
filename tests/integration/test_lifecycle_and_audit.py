"""Supersession, revocation, admin tokens, the audit chain and the verification log, on SQLite
and, when reachable, PostgreSQL (TEST_POSTGRES_URL)."""

import base64
import datetime as dt
import hashlib
import logging
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update

from registry import lifecycle
from registry.audit import GENESIS, Actor
from registry.db import Registry
from registry.errors import Conflict, NotFound, RegistryError
from registry.models import AuditEntry, CertificateRecord
from registry.repository import hash_token
from registry.staff import StaffRole
from tests.records import certificate_record
from verify.certificates import lookup_successor
from verify.transparency import Channel, holder_view, note_verification

AT = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
OFFICE = Actor("office-1", "committee-office")


def token_of(no: str) -> str:
    """A QR token (32 base32 characters) for certificate `no`."""
    return base64.b32encode(hashlib.sha256(no.encode()).digest()[:20]).decode()


def certificate(no: str, *, key: str | None = None, secret: str | None = None) -> CertificateRecord:
    return certificate_record(
        no,
        token=token_of(no),
        issue_key=key or hash_token("K" + no),
        created_at=AT,
        holder_secret_hash=hash_token(secret) if secret else None,
    )


def test_supersede_links_old_to_new_and_is_final(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("N1"))
        ledger.certificates.add(certificate("N2"))
        ledger.certificates.add(certificate("N3"))
        with pytest.raises(Conflict, match="cannot supersede itself"):
            lifecycle.supersede(ledger, "N1", by="N1", reason="x", at=AT, actor=OFFICE)
        with pytest.raises(NotFound, match="no certificate numbered N9"):
            lifecycle.supersede(ledger, "N1", by="N9", reason="x", at=AT, actor=OFFICE)
        old = lifecycle.supersede(ledger, "N1", by="N2", reason="姓名有误", at=AT, actor=OFFICE)
        assert (old.status, old.superseded_by, old.status_reason) == ("superseded", "N2", "姓名有误")
        with pytest.raises(
            Conflict, match="N1 was already superseded on 2026-03-01 by N2; act on N2 instead"
        ):
            lifecycle.revoke(ledger, "N1", reason="x", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="N1 was already superseded"):
            lifecycle.supersede(ledger, "N3", by="N1", reason="x", at=AT, actor=OFFICE)
        lifecycle.supersede(ledger, "N2", by="N3", reason="专业有误", at=AT, actor=OFFICE)
        n1 = ledger.certificates.by_number("N1")
        assert n1 is not None
        assert lifecycle.current(ledger.certificates, n1).certificate_no == "N3"
        assert [r.certificate_no for r in lifecycle.lineage(ledger.certificates, n1)] == ["N3", "N2", "N1"]
    # the old QR token leads to the certificate in force at the end of the chain
    successor = lookup_successor(registry, token_of("N1"))
    assert successor is not None and successor.certificate_no == "N3"
    assert lookup_successor(registry, token_of("N3")) is None


def test_a_reissue_takes_over_the_award_key(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("N1", key="k" * 64))
        lifecycle.supersede(ledger, "N1", by="N2", reason="更正", at=AT, actor=OFFICE, issue_key="k" * 64)
        ledger.certificates.add(
            certificate("N2", key="k" * 64)
        )  # the unique award key is free for the new one
        found = ledger.certificates.by_issue_key("k" * 64)
        assert found is not None and found.certificate_no == "N2"
        old = ledger.certificates.by_number("N1")
        assert old is not None and old.issue_key != "k" * 64


def test_revoke_records_and_refuses_twice(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("N1"))
        lifecycle.revoke(ledger, "N1", reason="评审终止：申报材料弄虚作假", at=AT, actor=OFFICE)
        with pytest.raises(Conflict, match="already revoked on 2026-03-01"):
            lifecycle.revoke(ledger, "N1", reason="again", at=AT, actor=OFFICE)
    with registry.transaction() as ledger:
        [entry] = ledger.audit.entries()
        assert (entry.action, entry.subject, entry.actor, entry.role) == (
            "certificate-revoked",
            "N1",
            "office-1",
            "committee-office",
        )


def test_tokens_are_stored_hashed_and_revocable(registry: Registry) -> None:
    with registry.transaction() as ledger:
        token = ledger.staff.create("clerk", StaffRole.ARCHIVE_CLERK, actor=OFFICE, at=AT)
        with pytest.raises(Conflict, match="'clerk' exists already"):
            ledger.staff.create("clerk", StaffRole.COMMITTEE_OFFICE, actor=OFFICE, at=AT)
    assert token.startswith("tcadm_") and len(token) > 40
    with registry.transaction() as ledger:
        stored = ledger.session.execute(text("select token_hash from admin_tokens")).scalar_one()
        assert stored == hash_token(token) and token not in stored
        row = ledger.staff.authenticate(token)
        assert row is not None and (row.name, row.role) == ("clerk", "archive-clerk")
        assert ledger.staff.authenticate(token + "x") is None
        ledger.staff.revoke("clerk", actor=OFFICE, at=AT)
    with registry.transaction() as ledger:
        assert ledger.staff.authenticate(token) is None
        with pytest.raises(Conflict, match="revoked already"):
            ledger.staff.revoke("clerk", actor=OFFICE, at=AT)
        with pytest.raises(NotFound, match="no admin token named 'nobody'"):
            ledger.staff.revoke("nobody", actor=OFFICE, at=AT)
        actions = [e.action for e in ledger.audit.entries()]
    assert actions == ["admin-token-created", "admin-token-revoked"]


def _three_entries(registry: Registry) -> list[int]:
    with registry.transaction() as ledger:
        log = ledger.audit
        log.append(OFFICE, "certificate-issued", "N1", {"sha256": "ab" * 32}, at=AT)
        log.append(OFFICE, "certificate-revoked", "N1", {"reason": "评审终止"}, at=AT)
    with registry.transaction() as ledger:  # a new transaction continues the chain
        ledger.audit.append(OFFICE, "admin-token-created", "clerk", {"role": "archive-clerk"})
        entries = ledger.audit.entries()
        assert entries[0].prev_hash == GENESIS
        assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
        return [e.id for e in entries]


def _check(registry: Registry) -> tuple[int | None, str | None, int]:
    with registry.transaction() as ledger:
        check = ledger.audit.verify()
    return check.broken_at, check.problem, check.entries


def test_the_audit_chain_verifies_and_names_a_changed_entry(registry: Registry) -> None:
    ids = _three_entries(registry)
    assert _check(registry) == (None, None, 3)
    with registry.engine.begin() as conn:  # behind the application's back
        conn.execute(
            update(AuditEntry).where(AuditEntry.id == ids[1]).values(detail='{"reason":"证书信息更正"}')
        )
    broken_at, problem, _ = _check(registry)
    assert broken_at == ids[1] and problem is not None and "changed after it was written" in problem


def test_the_audit_chain_names_the_entry_after_a_deleted_one(registry: Registry) -> None:
    ids = _three_entries(registry)
    with registry.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.id == ids[1]))
    broken_at, problem, _ = _check(registry)
    assert broken_at == ids[2] and problem is not None and "does not follow the entry before it" in problem


def test_the_orm_refuses_to_change_or_delete_audit_entries(registry: Registry) -> None:
    _three_entries(registry)
    with pytest.raises(RegistryError, match="append-only"), registry.transaction() as ledger:
        ledger.audit.entries()[0].subject = "N2"
    with pytest.raises(RegistryError, match="append-only"), registry.transaction() as ledger:
        ledger.session.delete(ledger.audit.entries()[0])
    assert _check(registry) == (None, None, 3)


def test_holder_view_lists_the_chain_and_its_verifications(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("N1", secret="old-secret-" + "x" * 24))
        ledger.certificates.add(certificate("N2", secret="new-secret-" + "y" * 24))
        lifecycle.supersede(ledger, "N1", by="N2", reason="更正", at=AT, actor=OFFICE)
        log = ledger.verifications
        log.record("N1", channel="scan", verdict="superseded", requester="203.0.113.0/24 · Chrome", at=AT)
        log.record(
            "N2",
            channel="upload",
            verdict="valid",
            requester="2001:db8:abcd::/48 · Firefox",
            at=AT + dt.timedelta(hours=1),
        )
    for secret in ("old-secret-" + "x" * 24, "new-secret-" + "y" * 24):
        view = holder_view(registry, secret)
        assert view is not None
        assert [c.certificate_no for c in view.certificates] == ["N2", "N1"]
        assert [(v.certificate_no, v.channel) for v in view.verifications] == [
            ("N2", "upload"),
            ("N1", "scan"),
        ]
        assert view.verifications[0].at == AT + dt.timedelta(hours=1)
    assert holder_view(registry, "unknown-secret-" + "z" * 24) is None
    assert holder_view(registry, "short") is None


def test_noting_a_verification_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    unreachable = Registry(f"sqlite:///{tmp_path / 'no-such-folder' / 'registry.sqlite3'}")
    with caplog.at_level(logging.WARNING, logger="verify.transparency"):
        note_verification(
            unreachable,
            "N1",
            channel=Channel.SCAN,
            verdict="valid",
            address="203.0.113.7",
            user_agent="curl/8",
        )
    assert "could not note a scan verification of N1" in caplog.text
