"""A pool of long-lived LibreOffice instances converting .docx to PDF/A-2b (issue 8).

A warm LibreOffice converts a certificate for ~0.35 CPU-s against ~1.5 CPU-s for a cold `soffice`
per document, and one instance per core scales (docs/conversion.md, "Converting with LibreOffice").
So the pool keeps `size`
unoserver instances (docgen.office), each with its own profile directory under
`profile_root`, started in parallel, and hands each `convert` call a free one:

- every output is checked (non-empty, `%PDF-` header); `docgen.convert.check_pdf` checks pages and
  fonts afterwards, as on the batch path;
- a conversion that takes longer than `timeout` (unoserver's own conversion timeout, and a socket
  timeout a little longer) or that LibreOffice dies in kills the instance's whole process group,
  starts it again and retries the document once on the fresh instance;
- an instance found dead before a conversion is started again first;
- after `recycle_after` conversions, when its soffice.bin has grown by more than `max_growth_mb`
  since its first conversion, or when it holds more than `max_rss_mb`, an instance is stopped and
  started again in the background while the others go on converting. LibreOffice grows about 2 MB
  a conversion from some 180 MB (docs/performance.md); recycling by measured growth keeps two
  instances under 1 GB together, where the absolute cap let each reach 700 MB.

The one-shot `docgen.convert.convert_to_pdf` stays the batch path for rare or single runs.
"""

import contextlib
import dataclasses
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from docgen.errors import ConversionError
from docgen.office import InstanceDown, OfficeInstance


@dataclasses.dataclass(frozen=True)
class InstanceStats:
    """What one instance of the pool has done since the pool started."""

    index: int
    conversions: int
    """Documents converted (warm-up conversions not counted)."""
    restarts: int
    """Starts after a crash or a hang."""
    recycles: int
    """Planned restarts after `recycle_after` conversions, past `max_growth_mb` or `max_rss_mb`."""
    failures: int
    """Documents this instance could not convert (ConversionError raised or retried elsewhere)."""
    soffice_pid: int | None
    rss_mb: float
    """soffice.bin's resident memory now."""


@dataclasses.dataclass
class _Slot:
    index: int
    instance: OfficeInstance
    conversions: int = 0
    since_start: int = 0
    restarts: int = 0
    recycles: int = 0
    failures: int = 0
    baseline_mb: float | None = None
    """soffice.bin's memory after its first conversion since it started."""


class OfficePool:
    """`size` long-lived LibreOffice instances; a context manager. `convert` is thread-safe."""

    def __init__(
        self,
        *,
        size: int,
        profile_root: Path,
        fonts_conf: Path,
        timeout: float = 120.0,
        recycle_after: int = 200,
        max_rss_mb: int = 700,
        max_growth_mb: int = 220,
        start_timeout: float = 60.0,
    ) -> None:
        if size < 1:
            raise ValueError("an OfficePool needs at least one instance")
        self.size, self.recycle_after, self.max_rss_mb = size, recycle_after, max_rss_mb
        self.max_growth_mb = max_growth_mb
        self.profile_root = root = profile_root
        self._slots = [
            _Slot(
                i,
                OfficeInstance(
                    profile_dir=root / f"profile-{i}",
                    work_dir=root / f"work-{i}",
                    fonts_conf=fonts_conf,
                    timeout=timeout,
                    start_timeout=start_timeout,
                ),
            )
            for i in range(size)
        ]
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._lock = threading.Lock()
        self._recyclers: list[threading.Thread] = []
        self._open = False
        self._drain = timeout + 5 + start_timeout

    def __enter__(self) -> "OfficePool":
        """Start every instance in parallel (the pool costs one instance's start-up).

        Raises ConversionError, with every instance stopped again, if one does not start."""
        self.profile_root.mkdir(parents=True, exist_ok=True)
        try:
            with ThreadPoolExecutor(max_workers=self.size) as starter:
                outcomes = list(starter.map(self._try_start, self._slots))
        except BaseException:  # KeyboardInterrupt while starting: leave nothing running
            self._stop_all()
            raise
        failed = [e for e in outcomes if e is not None]
        if failed:
            self._stop_all()
            raise ConversionError(f"LibreOffice pool did not start: {failed[0]}")
        for slot in self._slots:
            self._idle.put(slot)
        self._open = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop every instance and its whole process group, after the conversions and recycling
        under way (waiting at most one timeout and one start for them); no process is left."""
        self._open = False  # callers still waiting for an instance get ConversionError
        with self._lock:
            recyclers = list(self._recyclers)
        for thread in recyclers:
            thread.join()
        self.wait_idle(self._drain)
        self._stop_all()

    def convert(self, name: str, docx: bytes) -> bytes:
        """Convert one .docx to PDF/A-2b on a free instance (blocks until one is free).

        Raises ConversionError naming `name` when LibreOffice cannot convert the document, when it
        hung or died on it twice (on two fresh instances), or when an instance cannot be started;
        the pool stays usable. Raises ConversionError if the pool is not open."""
        slot = self._take(name)
        try:
            return self._convert_on(slot, name, docx)
        finally:
            self._give_back(slot)

    def stats(self) -> list[InstanceStats]:
        """Conversions, restarts and recycles per instance, with its soffice.bin's memory now."""
        with self._lock:
            return [
                InstanceStats(
                    s.index,
                    s.conversions,
                    s.restarts,
                    s.recycles,
                    s.failures,
                    s.instance.soffice_pid,
                    s.instance.rss_mb(),
                )
                for s in self._slots
            ]

    def wait_idle(self, timeout: float) -> bool:
        """True once every instance is idle (recycling done), False if not within `timeout` s."""
        deadline = time.monotonic() + timeout
        while self._idle.qsize() < self.size:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def _take(self, name: str) -> _Slot:
        while True:
            if not self._open:
                raise ConversionError(f"{name}: the LibreOffice pool is not running")
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                continue

    def _convert_on(self, slot: _Slot, name: str, docx: bytes) -> bytes:
        for attempt in (1, 2):
            if not slot.instance.alive:  # crashed while idle, or a restart failed before
                self._restart(slot, name)
            try:
                pdf = slot.instance.convert(docx)
            except InstanceDown as e:
                self._count(slot, failures=1)
                slot.instance.kill()
                if attempt == 2:
                    raise ConversionError(f"{name}: {e}; failed again on a fresh LibreOffice") from e
                continue  # the top of the loop starts it again: the retry runs on a fresh instance
            except ConversionError as e:
                self._count(slot, failures=1)
                raise ConversionError(f"{name}: {e}") from e
            self._count(slot, conversions=1)
            return pdf
        raise AssertionError("unreachable")

    def _restart(self, slot: _Slot, name: str) -> None:
        if not self._open:  # never start what __exit__ may already have stopped
            raise ConversionError(f"{name}: the LibreOffice pool was closed")
        self._count(slot, restarts=1)
        try:
            slot.instance.start()
        except ConversionError as e:
            raise ConversionError(f"{name}: LibreOffice could not be restarted: {e}") from e
        slot.since_start = 0

    def _count(self, slot: _Slot, *, conversions: int = 0, failures: int = 0, restarts: int = 0) -> None:
        with self._lock:
            slot.conversions += conversions
            slot.since_start += conversions
            slot.failures += failures
            slot.restarts += restarts

    def _give_back(self, slot: _Slot) -> None:
        rss = slot.instance.rss_mb()
        first = slot.since_start <= 1 or slot.baseline_mb is None
        if first:  # the instance's first document since it started sets what growth is measured from
            slot.baseline_mb = rss
        grown = not first and rss - (slot.baseline_mb or rss) > self.max_growth_mb
        worn = slot.since_start >= self.recycle_after or rss > self.max_rss_mb or grown
        if not (self._open and slot.instance.alive and worn):
            self._idle.put(slot)
            return
        thread = threading.Thread(target=self._recycle, args=(slot,), name=f"officepool-recycle-{slot.index}")
        with self._lock:
            self._recyclers = [t for t in self._recyclers if t.is_alive()]
            self._recyclers.append(thread)
        thread.start()

    def _recycle(self, slot: _Slot) -> None:
        """Stop and start an instance while the others serve; a failed start is left for the next
        `convert` on it to retry (and report)."""
        try:
            slot.instance.stop()
            with self._lock:
                slot.recycles += 1
                slot.since_start = 0
            if self._open:
                # A failed start leaves `alive` False: the next convert on this slot starts it or
                # says why not.
                with contextlib.suppress(ConversionError):
                    slot.instance.start()
        finally:
            self._idle.put(slot)  # whatever happened, the pool keeps its slot

    def _try_start(self, slot: _Slot) -> ConversionError | None:
        try:
            slot.instance.start()
            return None
        except ConversionError as e:
            return e

    def _stop_all(self) -> None:
        with ThreadPoolExecutor(max_workers=self.size) as stopper:
            list(stopper.map(lambda s: s.instance.stop(), self._slots))
