"""Fixtures shared by the integration tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.db import Registry
from tests.conftest import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def registry(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Registry]:
    """A freshly migrated registry, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        reg = Registry(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
        reg.migrate()
        yield reg
        reg.dispose()
        return
    with postgres_database("titlecert_test") as url:
        reg = Registry(url)
        try:
            reg.migrate()
            yield reg
        finally:
            reg.dispose()
