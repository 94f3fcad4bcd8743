"""The jobs tables: migration 0007 matches the models and goes down and up, on SQLite and PostgreSQL."""

from registry.db import Registry

JOB_TABLES = {"issue_jobs", "issue_units"}


def test_migration_0007_matches_the_models_and_goes_down_and_up(registry: Registry) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import inspect

    from registry.db import _alembic_config
    from registry.models import Base

    with registry.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in differences if any(table in repr(d) for table in JOB_TABLES)]
    assert not ours, ours
    for target in ("0006", "head"):
        with registry.engine.begin() as connection:
            cfg = _alembic_config(registry.url)
            cfg.attributes["connection"] = connection
            (command.downgrade if target == "0006" else command.upgrade)(cfg, target)
        present = JOB_TABLES & set(inspect(registry.engine).get_table_names())
        assert present == (set() if target == "0006" else JOB_TABLES)
