"""Feedback while a job runs: a progress bar (rich) on a terminal, or one JSON object per line.

The JSON stream (`--progress json`) writes, on every change of a unit's state,
`{"job": 7, "total": 20, "done": 5, "planned": 14, "sealed": 1, "registered": 5, "failed": 0,
"rate": 0.8, "eta": 18.7}`: units per state, units per second finished in this run, and seconds
left at that rate (null until one unit finished). The last line has `done` equal to `total` when
every unit was registered or failed.
"""

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO

from registry.models import UnitState

if TYPE_CHECKING:
    from rich.progress import TaskID

FINISHED = (UnitState.REGISTERED.value, UnitState.FAILED.value, UnitState.ABANDONED.value)


@dataclass
class Tally:
    """A job's units by state, and how fast this run finishes them."""

    job_id: int
    counts: dict[str, int]
    started: float = field(default_factory=time.monotonic)
    finished_here: int = 0
    """Units registered (or failed) by this run."""

    @classmethod
    def of(cls, job_id: int, counts: Mapping[str, int]) -> "Tally":
        return cls(job_id, {state.value: counts.get(state.value, 0) for state in UnitState})

    def move(self, old: str, new: str) -> None:
        """A unit went from state `old` to `new`."""
        if old == new:
            return
        self.counts[old] -= 1
        self.counts[new] += 1
        if new in FINISHED and old not in FINISHED:
            self.finished_here += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self.counts[s] for s in FINISHED)

    @property
    def rate(self) -> float:
        """Units per second finished by this run."""
        elapsed = time.monotonic() - self.started
        return self.finished_here / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate (None before the first unit finished)."""
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None

    def to_json(self) -> dict[str, object]:
        eta = self.eta
        return {
            "job": self.job_id,
            "total": self.total,
            "done": self.done,
            **self.counts,
            "rate": round(self.rate, 3),
            "eta": None if eta is None else round(eta, 1),
        }


class Progress(Protocol):
    """Told of every change; `close` once at the end."""

    def update(self, tally: Tally) -> None: ...

    def close(self, tally: Tally) -> None: ...


class NoProgress:
    """Says nothing."""

    def update(self, tally: Tally) -> None:
        pass

    def close(self, tally: Tally) -> None:
        pass


class JsonProgress:
    """One JSON object per line on `stream` (flushed at once, for a reading process)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def update(self, tally: Tally) -> None:
        self.stream.write(json.dumps(tally.to_json()) + "\n")
        self.stream.flush()

    def close(self, tally: Tally) -> None:
        self.update(tally)


class BarProgress:
    """A rich progress bar: units done of total, rate and time left, failures counted."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as RichProgress

        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]}"),
            console=Console(file=stream),
            transient=False,
        )
        self._task: TaskID | None = None

    def update(self, tally: Tally) -> None:
        failed = tally.counts[UnitState.FAILED.value]
        rate, failures = f"{tally.rate:.2f} units/s", f"{failed} failed" if failed else ""
        if self._task is None:
            self._bar.start()
            self._task = self._bar.add_task(
                f"job {tally.job_id}", total=tally.total, rate=rate, failed=failures
            )
        self._bar.update(self._task, completed=tally.done, rate=rate, failed=failures)

    def close(self, tally: Tally) -> None:
        self.update(tally)
        self._bar.stop()


PROGRESS_MODES = ("auto", "bar", "json", "none")


def progress_for(mode: str, stream: TextIO) -> Progress:
    """The reporter `--progress MODE` asks for; `auto` is the bar on a terminal, else nothing."""
    if mode == "auto":
        mode = "bar" if stream.isatty() else "none"
    if mode == "bar":
        return BarProgress(stream)
    if mode == "json":
        return JsonProgress(stream)
    return NoProgress()
