"""The registry on SQLite and, when reachable, PostgreSQL (TEST_POSTGRES_URL)."""

import datetime as dt

import pytest
from sqlalchemy import inspect

from registry.db import Registry
from registry.errors import Conflict, NotFound
from registry.models import CertificateRecord
from registry.repository import hash_token
from tests.records import certificate_record


def record(no: str, token: str, sha: str) -> CertificateRecord:
    return certificate_record(
        no, token=token, issue_key=hash_token(no), sha256=sha, created_at=dt.datetime.now(dt.UTC)
    )


def test_migration_is_idempotent_and_creates_the_tables(registry: Registry) -> None:
    registry.migrate()
    tables = set(inspect(registry.engine).get_table_names())
    assert {"certificates", "number_sequences", "alembic_version"} <= tables


def test_token_is_found_by_its_hash_and_never_stored(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(record("N1", "T" * 32, "a" * 64))
    with registry.transaction() as ledger:
        found = ledger.certificates.by_token("T" * 32)
        assert found is not None and found.certificate_no == "N1"
        assert found.token_hash != "T" * 32
        assert ledger.certificates.by_token("U" * 32) is None
        assert ledger.certificates.by_sha256("A" * 64) is not None


def test_duplicates_are_refused_and_roll_back(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(record("N1", "T" * 32, "a" * 64))
    with (
        pytest.raises(Conflict, match="certificate N2 duplicates a registered one"),
        registry.transaction() as ledger,
    ):
        ledger.certificates.add(record("N2", "U" * 32, "b" * 64))
        ledger.certificates.add(record("N2", "V" * 32, "c" * 64))
    with registry.transaction() as ledger:
        assert ledger.certificates.by_number("N2") is None  # the whole transaction rolled back


def test_numbers_advance_per_sequence(registry: Registry) -> None:
    with registry.transaction() as ledger:
        assert [
            ledger.certificates.next_number("A"),
            ledger.certificates.next_number("A"),
            ledger.certificates.next_number("B"),
        ] == [1, 2, 1]
    with registry.transaction() as ledger:
        assert ledger.certificates.next_number("A") == 3


def test_revoke_records_reason_and_time(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(record("N1", "T" * 32, "a" * 64))
    at = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    with registry.transaction() as ledger:
        ledger.certificates.revoke("N1", reason="评审终止：材料造假", at=at)
    with registry.transaction() as ledger:
        r = ledger.certificates.by_number("N1")
        assert r is not None and (r.status, r.status_reason) == ("revoked", "评审终止：材料造假")
        assert r.status_changed_at is not None and r.status_changed_at.replace(tzinfo=dt.UTC) == at
        with pytest.raises(Conflict, match="already revoked on 2026-03-01"):
            ledger.certificates.revoke("N1", reason="again", at=at)
        with pytest.raises(NotFound, match="no certificate numbered N9"):
            ledger.certificates.revoke("N9", reason="x", at=at)
