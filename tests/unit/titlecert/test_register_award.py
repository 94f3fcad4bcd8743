"""Registering an award's sealed documents, on the in-memory ledger (the fast tier): the table
decides what each document becomes in the registry and where its archive copy goes, and a re-issue
supersedes the old certificate in the same unit of work."""

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from docgen.load import load_session
from docgen.workdays import WorkCalendar
from registry.audit import Actor, AuditAction
from registry.errors import Conflict
from registry.repository import hash_token
from tests.fakes.ledger import FakeLedger
from tests.records import certificate_record
from titlecert.documents import Award
from titlecert.jobs.plan import JobPlan, Supersession, certificate_data
from titlecert.jobs.register import register_award
from titlecert.jobs.work import SealedDocument
from titlecert.kinds import DocumentKind
from titlecert.settings import from_env
from titlecert.store import FolderStore

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "session.json"
AT = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
OFFICE = Actor("office", "cli")
SECRET = b"s" * 32
PDF = b"%PDF-1.7 a sealed certificate"


def award(number: str = "CQZC2026000002", key: str = "k" * 64) -> Award:
    loaded = load_session(SAMPLE, WorkCalendar())
    a = loaded.session.applicants[0]
    data = certificate_data(loaded, a, number, "T" * 32, from_env({}))
    return Award(0, a, data, "T" * 32 if number.endswith("2") else "U" * 32, key, "PS2026000001", "H" * 43)


def plan(supersede: Supersession | None = None) -> JobPlan:
    return JobPlan(AT.date(), "https://verify.example", "111", session_documents=False, supersede=supersede)


def sealed(out_name: str) -> SealedDocument:
    return SealedDocument(DocumentKind.CERTIFICATE, out_name, hashlib.sha256(PDF).hexdigest(), 1, "ab" * 32)


def register(ledger: FakeLedger, store: FolderStore, the_award: Award, the_plan: JobPlan) -> None:
    doc = sealed(f"certificates/{the_award.certificate.certificate_no}.pdf")
    register_award(
        ledger,  # type: ignore[arg-type]
        the_award,
        [doc],
        {doc.sha256: PDF},
        the_plan,
        store=store,
        secret=SECRET,
        actor=OFFICE,
        at=AT,
    )


def test_a_certificate_is_registered_archived_under_the_tables_key_and_audited(tmp_path: Path) -> None:
    ledger, store = FakeLedger(), FolderStore(tmp_path)
    register(ledger, store, award(), plan())
    record = ledger.certificates.by_number("CQZC2026000002")
    assert record is not None and record.storage_key == "certificates/CQZC2026000002.pdf"
    assert store.get("certificates/CQZC2026000002.pdf") == PDF
    assert (record.status, record.token_hash, record.signed_sha256) == (
        "valid",
        hash_token("T" * 32),
        "ab" * 32,
    )
    assert record.holder_id_masked != award().applicant.id_number  # only the masked number is kept
    assert [(e.action, e.subject) for e in ledger.audit.entries()] == [
        (AuditAction.CERTIFICATE_ISSUED, "CQZC2026000002")
    ]


def test_a_reissue_supersedes_the_old_certificate_in_the_same_unit_of_work(tmp_path: Path) -> None:
    ledger, store = FakeLedger(), FolderStore(tmp_path)
    old = award("CQZC2026000001", key="k" * 64)
    ledger.certificates.add(
        certificate_record(
            "CQZC2026000001",
            token="U" * 32,
            issue_key="k" * 64,
            holder_name=old.applicant.name,
            sha256=hash_token("old"),
            created_at=AT,
        )
    )
    register(ledger, store, award(), plan(Supersession("CQZC2026000001", "姓名有误")))
    replaced = ledger.certificates.by_number("CQZC2026000001")
    assert replaced is not None and (replaced.status, replaced.superseded_by) == (
        "superseded",
        "CQZC2026000002",
    )
    assert ledger.certificates.by_issue_key("k" * 64).certificate_no == "CQZC2026000002"
    actions = [(e.action, e.subject, dict(e.detail)) for e in ledger.audit.entries()]
    assert actions[0][:2] == (AuditAction.CERTIFICATE_SUPERSEDED, "CQZC2026000001")
    assert actions[1][:2] == (AuditAction.CERTIFICATE_ISSUED, "CQZC2026000002")
    assert actions[1][2]["supersedes"] == "CQZC2026000001"


def test_the_same_award_cannot_be_registered_twice(tmp_path: Path) -> None:
    ledger, store = FakeLedger(), FolderStore(tmp_path)
    register(ledger, store, award(), plan())
    with pytest.raises(Conflict):
        register(ledger, store, award("CQZC2026000003"), plan())
