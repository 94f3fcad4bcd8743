"""Conversion as the pipeline sees it: a thread-safe `Converter`, .docx bytes in, PDF bytes out.

`docgen.officepool.OfficePool` (long-lived LibreOffice instances) is the converter for batches.
When the pool cannot start (unoserver missing, say), `ChunkConverter` stands in: it adapts the
one-shot `docgen.convert.convert_to_pdf`, the documents asked for while one soffice run is busy
going together into the next run, so soffice starts once per chunk rather than once per document.
"""

import fcntl
import logging
import queue
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Protocol

from docgen.convert import convert_to_pdf
from docgen.errors import ConversionError
from docgen.officepool import OfficePool
from templates import FONTS_CONF
from titlecert.settings import Settings

log = logging.getLogger(__name__)


class Converter(Protocol):
    """Converts one document; safe to call from several threads at once."""

    def convert(self, name: str, docx: bytes) -> bytes:
        """The PDF of `docx`. `name` is unique among the documents being converted at the same time.
        Raises ConversionError."""
        ...


class ChunkConverter:
    """Batches concurrent `convert` calls into one soffice run per chunk (one thread runs soffice).

    Use as a context manager: the thread starts on entry and stops on exit.
    """

    def __init__(
        self, *, profile_dir: Path, fonts_conf: Path, max_chunk: int = 32, linger: float = 0.2
    ) -> None:
        self.profile_dir = profile_dir
        self.fonts_conf = fonts_conf
        self.max_chunk = max_chunk
        self.linger = linger
        self._queue: queue.Queue[tuple[str, bytes, Future[bytes]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="soffice-chunks", daemon=True)

    def __enter__(self) -> "ChunkConverter":
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._queue.put(None)
        self._thread.join()

    def convert(self, name: str, docx: bytes) -> bytes:
        future: Future[bytes] = Future()
        self._queue.put((name, docx, future))
        return future.result()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            chunk = [first]
            stop = False
            try:
                while len(chunk) < self.max_chunk:
                    item = self._queue.get(timeout=self.linger)
                    if item is None:
                        stop = True
                        break
                    chunk.append(item)
            except queue.Empty:
                pass
            self._convert(chunk)
            if stop:
                return

    def _convert(self, chunk: list[tuple[str, bytes, Future[bytes]]]) -> None:
        documents = [(name, docx) for name, docx, _ in chunk]
        try:
            pdfs = convert_to_pdf(documents, profile_dir=self.profile_dir, fonts_conf=self.fonts_conf)
        except ConversionError as e:
            if len(chunk) == 1:
                chunk[0][2].set_exception(e)
            else:  # one bad document must not fail the others: each on its own, to name the culprit
                for item in chunk:
                    self._convert([item])
            return
        except BaseException as e:  # the callers must never wait forever
            for _, _, future in chunk:
                future.set_exception(ConversionError(f"conversion stopped: {e}"))
            raise
        for name, _, future in chunk:
            future.set_result(pdfs[name])


POOL_FROM_DOCUMENTS = 24
"""From how many documents a run starts the LibreOffice pool: its instances take ~6 s to start
(unoserver waits 5 s), which one soffice run (~1.5 s) repays only on small batches."""


@contextmanager
def open_converter(
    settings: Settings, *, documents: int | None = None, profile_root: Path | None = None
) -> Iterator[tuple[Converter, int]]:
    """The run's converter and how many threads should feed it: the pool of
    TITLECERT_CONVERT_WORKERS LibreOffice instances; one soffice run per chunk of documents for
    fewer than POOL_FROM_DOCUMENTS `documents`, or (logged as a warning) when the pool cannot start.
    LibreOffice's profiles live under `profile_root` (a queue worker process's own), else under the
    home's pool folder (`_profile_root`). Conversion errors are raised by `convert`, never here."""
    with ExitStack() as stack:
        root = profile_root or _profile_root(stack, settings)
        if documents is None or documents >= POOL_FROM_DOCUMENTS:
            size = settings.pipeline.convert_workers
            try:
                pool = stack.enter_context(
                    OfficePool(size=size, profile_root=root / "pool", fonts_conf=FONTS_CONF)
                )
            except ConversionError as e:
                log.warning("%s; converting with one soffice run per chunk of documents instead", e)
            else:
                yield pool, 2 * size  # one document waiting behind each one converting
                return
        chunks = stack.enter_context(ChunkConverter(profile_dir=root / "batch", fonts_conf=FONTS_CONF))
        yield chunks, 32


def _profile_root(stack: ExitStack, settings: Settings) -> Path:
    """The home's pool folder while this run holds its lock, else (another run is converting in
    this home: two sharing a profile fail) a temporary folder of this run's own. The pool kills any
    LibreOffice still naming its profile folder, so the next run cleans up after a run killed with
    SIGKILL, whose LibreOffice, in process groups of their own, outlive it."""
    root = settings.soffice_pool
    root.mkdir(parents=True, exist_ok=True)
    lock = stack.enter_context((root / ".lock").open("w"))
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file closes
    except BlockingIOError:
        return Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="titlecert-soffice-")))
    return root
