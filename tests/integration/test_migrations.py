"""Each migration that adds tables matches the models and goes down and up again, on SQLite and
PostgreSQL (the `registry` fixture): a deployment can upgrade, and roll back one release."""

import pytest

from registry.db import Registry

ADDED_TABLES = {
    "0006": (
        "0005",
        {"review_forms", "paper_copies", "stamp_boxes", "paper_events", "clerks", "clerk_units"},
    ),
    "0007": ("0006", {"issue_jobs", "issue_units"}),
}


@pytest.mark.parametrize("revision", sorted(ADDED_TABLES))
def test_the_migration_matches_the_models_and_goes_down_and_up(registry: Registry, revision: str) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from registry.db import _alembic_config
    from registry.models import Base

    before, tables = ADDED_TABLES[revision]
    with registry.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in differences if any(table in repr(d) for table in tables)]
    assert not ours, ours
    for target in (before, "head"):
        with registry.engine.begin() as connection:
            cfg = _alembic_config(registry.url)
            cfg.attributes["connection"] = connection
            (command.downgrade if target == before else command.upgrade)(cfg, target)
        present = tables & set(inspect(registry.engine).get_table_names())
        assert present == (set() if target == before else tables)
