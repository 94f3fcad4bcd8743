"""Each migration that adds tables or columns matches the models and goes down and up again, on
SQLite and PostgreSQL (the `registry` fixture): a deployment can upgrade, and roll back one release."""

from typing import Any

import pytest

from registry.db import Registry

ADDED_TABLES = {
    "0006": (
        "0005",
        {"review_forms", "paper_copies", "stamp_boxes", "paper_events", "clerks", "clerk_units"},
    ),
    "0007": ("0006", {"issue_jobs", "issue_units"}),
    "0010": ("0009", {"yearly_applications"}),
    "0011": ("0010", {"committee_mandates", "committee_seals"}),
}
ADDED_COLUMNS = {"0008": ("0007", "issue_jobs", {"runner", "runner_seen"})}


def differences_from_models(registry: Registry) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from registry.models import Base

    with registry.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def migrate(registry: Registry, target: str, *, down: bool) -> None:
    from alembic import command

    from registry.db import _alembic_config

    with registry.engine.begin() as connection:
        cfg = _alembic_config(registry.url)
        cfg.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(cfg, target)


def add_job_with_a_unit(registry: Registry) -> None:
    import datetime as dt

    from registry.models import IssueJob, IssueUnit

    now = dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        job = IssueJob(
            fingerprint="f" * 64,
            out_dir="out",
            inputs="jobs/1/session.json",
            plan="{}",
            actor="office",
            created_at=now,
            updated_at=now,
        )
        ledger.jobs.add(job, [IssueUnit(kind="results-list", label="results", updated_at=now)])


@pytest.mark.parametrize("revision", sorted(ADDED_TABLES))
def test_the_migration_matches_the_models_and_goes_down_and_up(registry: Registry, revision: str) -> None:
    from sqlalchemy import inspect

    before, tables = ADDED_TABLES[revision]
    ours = [d for d in differences_from_models(registry) if any(table in repr(d) for table in tables)]
    assert not ours, ours
    for target in (before, "head"):
        migrate(registry, target, down=target == before)
        present = tables & set(inspect(registry.engine).get_table_names())
        assert present == (set() if target == before else tables)


@pytest.mark.parametrize("revision", sorted(ADDED_COLUMNS))
def test_a_migration_adding_columns_matches_the_models_and_goes_down_and_up(
    registry: Registry, revision: str
) -> None:
    from sqlalchemy import inspect

    before, table, columns = ADDED_COLUMNS[revision]
    ours = [d for d in differences_from_models(registry) if table in repr(d)]
    assert not ours, ours
    add_job_with_a_unit(registry)  # rows that other tables reference must not stop the migration
    for target in (before, "head"):
        migrate(registry, target, down=target == before)
        present = columns & {c["name"] for c in inspect(registry.engine).get_columns(table)}
        assert present == (set() if target == before else columns)


def test_0009_records_the_issued_fingerprint_of_earlier_rows_and_goes_down_and_up(registry: Registry) -> None:
    from sqlalchemy import inspect, text

    assert not [d for d in differences_from_models(registry) if "issued_sha256" in repr(d)]
    migrate(registry, "0008", down=True)
    with registry.engine.begin() as connection:  # a row registered before 0009, already renewed
        connection.execute(
            text(
                "INSERT INTO documents (kind, number, copy, sha256, pages, created_at) "
                "VALUES ('review-form', 'PS2026000001', 'personnel-file', :sha, 2, CURRENT_TIMESTAMP)"
            ),
            {"sha": "ab" * 32},
        )
    migrate(registry, "head", down=False)
    with registry.engine.connect() as connection:
        row = connection.execute(text("SELECT sha256, issued_sha256 FROM documents")).one()
    assert row.issued_sha256 == row.sha256
    for table in ("certificates", "documents"):
        assert "issued_sha256" in {c["name"] for c in inspect(registry.engine).get_columns(table)}
    migrate(registry, "0008", down=True)
    assert "issued_sha256" not in {c["name"] for c in inspect(registry.engine).get_columns("documents")}
