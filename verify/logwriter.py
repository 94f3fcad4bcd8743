"""Writing the holders' verification log off the request path: a lookup queues its entry and
answers; a thread of the process writes what is queued, many entries to a transaction.

- Nothing queued is lost on a clean shutdown: `close` (run at the process's exit, after gunicorn
  has finished its requests) writes everything queued before it returns.
- A crash (SIGKILL, the machine losing power) loses what was queued and not yet committed: under
  light load an entry is written a few milliseconds after its answer; under load, the lookups of
  the last LINGER (0.2 s) and of the commit in progress, in the worker that crashed.
- When the queue is full (the database slower than the lookups), a lookup writes its own entry, as
  every lookup did before: slower, nothing dropped.
- A batch the database refuses is tried again entry by entry; an entry that still fails is logged
  and dropped, as a failed write always was (noting a verification never fails the verification).

One writer per process: the thread starts with the first entry queued in the process (gunicorn's
workers fork from an arbiter that built the app, and threads do not survive a fork).
"""

import atexit
import logging
import os
import queue
import threading
import time

from registry.db import Registry
from registry.verifications import Verification

log = logging.getLogger(__name__)

CAPACITY = 5000
"""Entries queued at most before a lookup writes its own (about 5 seconds of a worker's lookups)."""
BATCH = 500
"""Entries at most in one transaction."""
CLOSE_SECONDS = 8.0
"""How long a shutdown waits for the writer: within gunicorn's graceful timeout (10 s)."""
LINGER = 0.2
"""Seconds at least between two commits of one writer: an idle writer writes an entry at once, a
busy one gathers what comes in meanwhile."""
RETRY_PAUSE = 0.5
"""Seconds before a refused batch is tried again entry by entry."""

_STOP = object()


class VerificationWriter:
    """Queues verifications for one thread of this process to write to `registry`."""

    def __init__(self, registry: Registry, *, capacity: int = CAPACITY, batch: int = BATCH) -> None:
        self.registry = registry
        self._capacity = capacity
        self._batch = batch
        self._start = threading.Lock()
        self._pid = -1
        self._queue: queue.Queue[object] = queue.Queue(capacity)
        self._thread: threading.Thread | None = None
        self._count = threading.Lock()
        self.written = 0
        """Entries this process has committed (for tests and the benchmark)."""

    def note(self, verification: Verification) -> None:
        """Queue `verification`; written in the caller's thread when the queue is full."""
        if self._pid != os.getpid():
            self._begin()
        try:
            self._queue.put_nowait(verification)
        except queue.Full:
            self._write([verification])

    def flush(self, timeout: float = CLOSE_SECONDS) -> bool:
        """Wait until everything queued in this process so far is written (False: not in time)."""
        if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
            return True
        done = threading.Event()
        try:
            self._queue.put(done, timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def close(self) -> None:
        """Write everything queued and stop the thread (at exit; idempotent)."""
        thread = self._thread
        if self._pid != os.getpid() or thread is None or not thread.is_alive():
            return
        deadline = time.monotonic() + CLOSE_SECONDS
        try:
            self._queue.put(_STOP, timeout=CLOSE_SECONDS)
        except queue.Full:
            log.error("verification log: the writer did not take the stop; entries may be lost")
            return
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            log.error("verification log: %d entries not written at exit", self._queue.qsize())

    def _begin(self) -> None:
        with self._start:
            if self._pid == os.getpid():
                return
            # A new process (or the first entry): the parent's queue and thread are not ours.
            self._queue = queue.Queue(self._capacity)
            self._thread = threading.Thread(target=self._run, name="verification-log", daemon=True)
            self._thread.start()
            self._pid = os.getpid()
            atexit.register(self.close)

    def _run(self) -> None:
        last = 0.0
        while True:
            batch: list[Verification] = []
            flushed: list[threading.Event] = []
            stop = False
            item = self._queue.get()
            # Entries are written as they come while the writer is idle; under load, one commit
            # per LINGER gathers what the lookups queued meanwhile (a commit costs milliseconds).
            write_at = last + LINGER
            while True:
                if item is _STOP:
                    stop = True
                elif isinstance(item, threading.Event):
                    flushed.append(item)
                elif isinstance(item, Verification):
                    batch.append(item)
                if stop or flushed or len(batch) >= self._batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    wait = write_at - time.monotonic()
                    if wait <= 0:
                        break
                    try:
                        item = self._queue.get(timeout=wait)
                    except queue.Empty:
                        break
            if batch:
                self._write(batch)
                last = time.monotonic()
            for event in flushed:
                event.set()
            if stop:
                return

    def _write(self, batch: list[Verification]) -> None:
        try:
            with self.registry.transaction() as ledger:
                n = ledger.verifications.record_many(batch)
            self._wrote(n)
            return
        except Exception:  # whatever went wrong (database down, disk full), try each entry once more
            log.warning("verification log: a batch of %d was refused; retrying one by one", len(batch))
        time.sleep(RETRY_PAUSE)
        for verification in batch:
            try:
                with self.registry.transaction() as ledger:
                    ledger.verifications.record_many([verification])
                self._wrote(1)
            except Exception:  # as note_verification always did: log it, never fail the lookup
                log.warning(
                    "could not note a %s verification of %s",
                    verification.channel,
                    verification.certificate_no,
                    exc_info=True,
                )

    def _wrote(self, n: int) -> None:
        with self._count:
            self.written += n


__all__ = ["BATCH", "CAPACITY", "VerificationWriter"]
