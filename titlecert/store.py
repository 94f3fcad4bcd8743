"""The document store: the instance's archive copy of every sealed PDF, by key.

A folder in the instance home by default, or a bucket of S3-compatible object storage
(`titlecert.s3store`) when TITLECERT_STORE_URL names one, so that several machines issuing for one
instance share it. `open_store` picks one from the settings. Issuing and re-time-stamping write
through `put`, which replaces a copy whole, so a reader never sees half a PDF.

Keys are relative paths such as `certificates/CQZC2026000001.pdf`, checked by `check_key` with the
same rules in every store.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Protocol

from titlecert.errors import StoreError


class DocumentStore(Protocol):
    """Where archive copies live."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing any earlier version whole. Raises StoreError."""

    def get(self, key: str) -> bytes:
        """The stored bytes. Raises KeyError if nothing is stored under `key`, StoreError if they
        cannot be read (StoreIntegrityError if they are not what was stored)."""

    def exists(self, key: str) -> bool:
        """Whether something is stored under `key`. Raises StoreError if the store cannot say."""

    def delete_folder(self, folder: str) -> int:
        """Delete every copy whose key lies under `folder` (a key prefix such as `jobs/12`, which
        names a folder: `jobs/1` does not reach `jobs/12/...`). Returns how many were deleted.
        Raises StoreError for a bad folder name or when the store refuses."""


def check_key(key: str) -> str:
    """`key` if it is a storage key: a relative path of `/`-separated names, none empty, `.` or `..`,
    without backslashes or control characters. Raises StoreError saying which rule it breaks."""
    problem = None
    if not key:
        problem = "it is empty"
    elif key.startswith("/"):
        problem = "it begins with '/' (keys are relative)"
    elif "\\" in key:
        problem = "it holds a backslash (the separator is '/')"
    elif any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        problem = "it holds a control character"
    elif any(part in ("", ".", "..") for part in key.split("/")):
        problem = "it has an empty, '.' or '..' part"
    if problem:
        raise StoreError(f"{key!r} is not a storage key: {problem}")
    return key


class FolderStore:
    """Archive copies as files under one folder; keys are relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __str__(self) -> str:
        return f"the folder {self.root}"

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if not path.is_relative_to(self.root.resolve()):  # through a symbolic link
            raise StoreError(f"{key!r} is not a storage key: it leads out of {self.root}")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Write `data` to a temporary file beside the key's and rename it over the key's, so
        concurrent writers (several workers on a shared folder) each replace the file whole.
        Raises StoreError for a bad key or when the folder cannot be written."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
            try:
                with open(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(part, path)
            except BaseException:
                Path(part).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise StoreError(f"cannot store {key!r} in {self}: {e.strerror or e}; check the folder") from e

    def get(self, key: str) -> bytes:
        """The file's bytes. Raises KeyError when there is none, StoreError for a bad key or a file
        that cannot be read."""
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError as e:
            raise KeyError(key) from e
        except OSError as e:
            raise StoreError(f"cannot read {key!r} from {self}: {e.strerror or e}") from e

    def exists(self, key: str) -> bool:
        """Whether the key's file exists. Raises StoreError for a bad key."""
        return self._path(key).is_file()

    def delete_folder(self, folder: str) -> int:
        """Remove the folder's subtree. Raises StoreError for a bad name or when it cannot be removed."""
        path = self._path(folder)
        if not path.is_dir():
            return 0
        count = sum(1 for f in path.rglob("*") if f.is_file())
        try:
            shutil.rmtree(path)
        except OSError as e:
            raise StoreError(
                f"cannot delete {folder!r} from {self}: {e.strerror or e}; check the folder"
            ) from e
        return count
