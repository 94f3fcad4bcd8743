"""The document store."""

from pathlib import Path

import pytest

from titlecert.errors import StoreError
from titlecert.store import FolderStore


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
