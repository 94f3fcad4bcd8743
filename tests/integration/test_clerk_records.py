"""Clerks' records on printed copies, on SQLite and PostgreSQL: append-only, state derived from them,
concurrent records all kept, the audit chain intact under concurrent writers; clerks' accounts."""

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from registry.audit import Actor
from registry.db import Registry
from registry.errors import RegistryError
from registry.models import AuditEntry, DocumentRecord
from registry.paper import CopyState, EventKind, PaperCopy, PaperEvent, ReviewFormRecord, StampBox
from registry.repository import hash_token
from tests.integration.test_lifecycle_and_audit import AT, certificate
from titlecert.clerks import accounts
from titlecert.clerks.records import record

ALICE = Actor("alice", "archive-clerk")
BOB = Actor("bob", "archive-clerk")
DAY = dt.date(2026, 3, 3)
"""A day after the copies were issued (AT), as the clerks' dates must be."""


def printed_form(registry: Registry, form_no: str = "PS2026000001") -> int:
    """A registered award with its review form, two boxes and copy P; returns the copy's id."""
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate("CQZC2026000001"))
        doc = ledger.certificates.add_document(
            DocumentRecord(
                kind="review-form",
                number=form_no,
                copy="personnel-file",
                certificate_no="CQZC2026000001",
                sha256=hash_token("P" + form_no),
                pages=4,
                created_at=AT,
            )
        )
        s = ledger.session
        s.add(
            ReviewFormRecord(
                form_no=form_no,
                certificate_no="CQZC2026000001",
                holder_name="张晓明",
                unit_name="重庆某某中心",
                unit_code="12500000965RMH3W7D",
                superior_name="重庆市大数据应用发展管理局",
                chain="city",
                session_ref="渝职改办〔2026〕12号",
                confirmed_on=dt.date(2026, 1, 12),
                created_at=AT,
            )
        )
        s.flush()
        s.add_all(
            [
                StampBox(form_no=form_no, position=1, level="所在单位", body="重庆某某中心", page=3),
                StampBox(form_no=form_no, position=2, level="单位主管部门", body="", page=3),
            ]
        )
        copy = PaperCopy(
            form_no=form_no, copy="personnel-file", label="P", document_id=doc.id, pages=4, created_at=AT
        )
        s.add(copy)
        s.flush()
        return copy.id


def state_of(registry: Registry, copy_id: int) -> CopyState:
    with registry.transaction() as ledger:
        book = ledger.paper
        copy = book.copy(copy_id)
        assert copy is not None
        return book.state(copy).state


def test_state_follows_the_records_and_corrections_retract(registry: Registry) -> None:
    copy = printed_form(registry)
    assert state_of(registry, copy) is CopyState.AWAITING_STAMPS
    record(registry, copy, EventKind.STAMPED, actor=ALICE, on=DAY, box=1, body="重庆某某中心")
    assert state_of(registry, copy) is CopyState.AWAITING_STAMPS
    second = record(
        registry, copy, EventKind.STAMPED, actor=ALICE, on=DAY, box=2, body="重庆市大数据应用发展管理局"
    )
    assert state_of(registry, copy) is CopyState.STAMPED
    filed = record(registry, copy, EventKind.FILED, actor=ALICE, on=DAY, body="垫江县人才交流中心")
    assert state_of(registry, copy) is CopyState.FILED
    record(registry, copy, EventKind.CORRECTION, actor=BOB, on=DAY, corrects=filed.id, note="归档位置有误")
    record(registry, copy, EventKind.CORRECTION, actor=BOB, on=DAY, corrects=second.id, note="看错了栏目")
    assert state_of(registry, copy) is CopyState.AWAITING_STAMPS
    with pytest.raises(RegistryError, match="no stamp box 3"):
        record(registry, copy, EventKind.STAMPED, actor=ALICE, on=DAY, box=3, body="x")
    with pytest.raises(RegistryError, match="retracts a stamp or a filing"):
        record(registry, copy, EventKind.CORRECTION, actor=ALICE, on=DAY, corrects=filed.id + 1)
    with registry.transaction() as ledger:
        assert ledger.session.scalar(select(func.count()).select_from(PaperEvent)) == 5  # history kept whole
        entries = ledger.audit.entries()
        assert [e.actor for e in entries] == ["alice"] * 3 + ["bob"] * 2
        assert ledger.audit.verify().intact


def test_records_cannot_be_changed_or_deleted(registry: Registry) -> None:
    copy = printed_form(registry)
    event = record(
        registry,
        copy,
        EventKind.FILED,
        actor=ALICE,
        on=DAY,
        body="单位档案室",
        incomplete_reason="补盖后再报",
    )
    for change in (lambda e: setattr(e, "body", "别处"), lambda e: ledger.session.delete(e)):
        with (
            pytest.raises(RegistryError, match="cannot be changed or deleted"),
            registry.transaction() as ledger,
        ):
            loaded = ledger.session.get(PaperEvent, event.id)
            change(loaded)
            ledger.session.flush()


def test_a_void_copy_takes_no_more_records(registry: Registry) -> None:
    copy = printed_form(registry)
    with registry.transaction() as ledger:
        book = ledger.paper
        paper = book.copy(copy)
        assert paper is not None
        book.record(paper, EventKind.LOST, clerk="alice", on=DAY, at=AT, body="P2", note="遗失")
        assert book.is_void(paper.document_id)
    with pytest.raises(RegistryError, match="is void"):
        record(registry, copy, EventKind.STAMPED, actor=ALICE, on=DAY, box=1, body="x")


def together(*work: Callable[[], object]) -> list[BaseException]:
    """Run the callables at once in threads; the exceptions they raised."""
    start = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(job: Callable[[], object]) -> None:
        start.wait()
        try:
            job()
        except BaseException as e:  # noqa: BLE001 - reported to the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(job,)) for job in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_two_clerks_recording_on_one_copy_at_once_keep_both(registry: Registry) -> None:
    copy = printed_form(registry)
    errors = together(
        *(
            (
                lambda actor=actor, n=n: record(
                    registry,
                    copy,
                    EventKind.STAMPED,
                    actor=actor,
                    on=DAY,
                    box=1,
                    body=f"重庆某某中心 {actor.name} {n}",
                )
            )
            for n in range(4)
            for actor in (ALICE, BOB)
        )
    )
    assert not errors, errors
    with registry.transaction() as ledger:
        events = ledger.paper.events(copy)
        assert sorted(e.clerk for e in events) == ["alice"] * 4 + ["bob"] * 4
        chain = ledger.audit.verify()
        assert chain.intact and chain.entries == 8, chain


def test_concurrent_audit_appends_chain_one_after_another(registry: Registry) -> None:
    def append(n: int) -> None:
        with registry.transaction() as ledger:
            ledger.audit.append(ALICE, "paper-recorded", f"test {n}", {"n": n})

    errors = together(*((lambda n=n: append(n)) for n in range(12)))
    assert not errors, errors
    with registry.transaction() as ledger:
        chain = ledger.audit.verify()
        assert chain.intact and chain.entries == 12, chain
        hashes = ledger.session.execute(select(AuditEntry.prev_hash)).scalars().all()
        assert len(set(hashes)) == 12  # no two entries follow the same one


def test_clerk_passwords_are_argon2id_and_accounts_can_be_disabled(registry: Registry) -> None:
    cli = Actor("operator", "cli")
    with registry.transaction() as ledger:
        clerk = accounts.create(ledger, "alice", "a long enough secret", actor=cli, at=AT)
        assert clerk.password_hash is not None and clerk.password_hash.startswith("$argon2id$")
        assert "a long enough secret" not in clerk.password_hash
        with pytest.raises(ValueError, match="at least 12"):
            accounts.create(ledger, "bob", "short", actor=cli, at=AT)
        accounts.create(ledger, "sso", None, actor=cli, at=AT)
        accounts.assign(ledger, "alice", "12500000965RMH3W7D", actor=cli)
    with registry.transaction() as ledger:
        assert accounts.authenticate(ledger, "alice", "a long enough secret") is not None
        assert accounts.authenticate(ledger, "alice", "a long enough secreT") is None
        assert accounts.authenticate(ledger, "nobody", "a long enough secret") is None
        assert accounts.authenticate(ledger, "sso", "") is None
        alice = ledger.clerks.by_name("alice")
        assert alice is not None and ledger.clerks.units_of(alice) == ["12500000965RMH3W7D"]
        accounts.disable(ledger, "alice", actor=cli, at=AT)
    with registry.transaction() as ledger:
        assert accounts.authenticate(ledger, "alice", "a long enough secret") is None
        changes = [e.subject for e in ledger.audit.entries()]
        assert changes == ["clerk alice", "clerk sso", "clerk alice", "clerk alice"]
