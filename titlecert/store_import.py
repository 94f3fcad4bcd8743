"""Moving an instance's archive copies from the folder store into the configured store (a bucket):
`titlecert archive import FOLDER`, run once TITLECERT_STORE_URL names the bucket.

Every file under the folder is put under its relative path, with the SHA-256 metadata the S3 store
keeps (so it is verified on every read, as if titlecert had stored it). A key already in the
store with the same bytes is skipped, so the command can be run again after an interruption; one
with other bytes is reported and left alone, never overwritten. Afterwards every document the
registry names is looked for in the store, so a copy missing from both is found now, not years
later.
"""

from dataclasses import dataclass, field
from pathlib import Path

from titlecert.bootstrap import transaction
from titlecert.configured_store import open_store
from titlecert.errors import ApplicationError, StoreIntegrityError
from titlecert.settings import Settings
from titlecert.store import check_key


@dataclass
class ImportResult:
    copied: int = 0
    already: int = 0
    """Keys in the store with the same bytes already."""
    conflicts: list[str] = field(default_factory=list)
    """Keys in the store with other bytes: left alone."""
    missing: list[str] = field(default_factory=list)
    """Keys the registry names that the store lacks after the import."""


def import_folder(settings: Settings, folder: Path) -> ImportResult:
    """Copy every archive copy under `folder` into the configured store, then check the registry's
    keys are all there. Raises ApplicationError when no other store is configured or the folder
    is not one, StoreError when the store fails."""
    if settings.store is None:
        raise ApplicationError(
            "the configured document store is the folder itself: set TITLECERT_STORE_URL (and the "
            "TITLECERT_S3_* settings) to the bucket first"
        )
    if not folder.is_dir():
        raise ApplicationError(f"{folder} is not a folder (the old store is $TITLECERT_HOME/archive)")
    store = open_store(settings)
    result = ImportResult()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.startswith("."):  # .part files of interrupted writes
            continue
        key = check_key(path.relative_to(folder).as_posix())
        data = path.read_bytes()
        if store.exists(key):
            try:
                same = store.get(key) == data
            except StoreIntegrityError:
                same = False
            if same:
                result.already += 1
            else:
                result.conflicts.append(
                    f"{key}: the store holds other bytes under this key; left as they are"
                )
            continue
        store.put(key, data)
        result.copied += 1
    with transaction(settings) as ledger:
        keys = sorted({str(r.storage_key) for r in ledger.certificates.stored()})
    result.missing = [key for key in keys if not store.exists(key)]
    return result


__all__ = ["ImportResult", "import_folder"]
