"""Analyses kept for a while: the archive clerk's pages verify the same stored review form for every
page scanned, and a form's analysis (its seals, time stamps and validation data) takes most of a
second. The analysis depends only on the bytes, the trust settings and the validation time, so it
is kept by those; a "now" analysis for `ttl` seconds, since now moves on. The registry's part of a
verdict (issued, revoked, void) is never kept: `verify_pdf` asks for it every time.
"""

import datetime as dt
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from signing.trust import TrustSettings
from verify.checks import Analyser, Analysis, analyse_pdf


class CachedAnalyser:
    """An `Analyser` that keeps the last `size` analyses (least recently used out), each for `ttl`
    seconds. Thread-safe; an analysis is frozen, so one kept is shared safely."""

    def __init__(
        self,
        analyser: Analyser = analyse_pdf,
        *,
        size: int = 128,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.analyser, self.size, self.ttl, self.clock = analyser, size, ttl, clock
        self._kept: OrderedDict[tuple[bytes, int, dt.datetime | None], tuple[float, Analysis]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
        key = (hashlib.sha256(data).digest(), id(trust), at)
        now = self.clock()
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and now - kept[0] < self.ttl:
                self._kept.move_to_end(key)
                return kept[1]  # frozen: callers cannot change what others get
        analysis = self.analyser(data, trust, at)
        with self._lock:
            self._kept[key] = (now, analysis)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return analysis


__all__ = ["CachedAnalyser"]
