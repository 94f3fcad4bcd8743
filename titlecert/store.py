"""The document store: the instance's archive copy of every sealed PDF, by key.

A folder in the instance home by default. Issue and re-time-stamping write through `put`, which
replaces a file atomically, so a reader never sees half a PDF.
"""

import os
from pathlib import Path
from typing import Protocol


class DocumentStore(Protocol):
    """Where archive copies live."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing any earlier version atomically."""

    def get(self, key: str) -> bytes:
        """The stored bytes. Raises KeyError if nothing is stored under `key`."""


class FolderStore:
    """Archive copies as files under one folder; keys are relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise KeyError(key)
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        with open(part, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        part.replace(path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as e:
            raise KeyError(key) from e
