"""The document store and the archive's date parsing."""

import datetime as dt
from pathlib import Path

import pytest

from titlecert.archive import parse_when
from titlecert.errors import StoreError
from titlecert.store import FolderStore


def test_a_bare_date_means_the_end_of_that_day_in_china() -> None:
    assert parse_when("2030-06-30") == dt.datetime(2030, 6, 30, 15, 59, 59, tzinfo=dt.UTC)
    assert parse_when("2030-06-30T08:00:00+00:00") == dt.datetime(2030, 6, 30, 8, tzinfo=dt.UTC)
    assert parse_when("2030-06-30T08:00") == dt.datetime(2030, 6, 30, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        parse_when("next tuesday")


def test_the_folder_store_replaces_whole_files_and_stays_inside_its_root(tmp_path: Path) -> None:
    store = FolderStore(tmp_path / "archive")
    store.put("certificates/A.pdf", b"%PDF-1 first")
    store.put("certificates/A.pdf", b"%PDF-1 second")
    assert store.get("certificates/A.pdf") == b"%PDF-1 second"
    assert [p.name for p in (tmp_path / "archive" / "certificates").iterdir()] == ["A.pdf"]  # no .part left
    with pytest.raises(KeyError):
        store.get("certificates/missing.pdf")
    with pytest.raises(StoreError, match="'../outside.pdf' is not a storage key"):
        store.put("../outside.pdf", b"x")
