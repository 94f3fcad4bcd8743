"""One run per job: a run holds its job while it works on it, and a second run of the same job is
refused with who holds it, instead of repeating the work (which stays exactly once, but costs a
second LibreOffice and sealing pass and fights over the output folder).

The job's row names its run (`host:pid:start time`) and when it was last seen; the holder says it
is alive every HEARTBEAT seconds. Another run may take the job over when its run is gone: on this
machine, when that process no longer exists (a `kill -9` is resumed at once); from elsewhere, when
it has not been seen for STALE seconds (a machine lost). Taking over is a compare-and-set on the
runner seen, so of two runs trying at once exactly one wins.
"""

import datetime as dt
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import psutil

from registry.chinatime import as_utc
from registry.db import Registry
from titlecert.errors import ApplicationError

log = logging.getLogger(__name__)

HEARTBEAT = 5.0
"""Seconds between a holder's signs of life."""
STALE = 60.0
"""Seconds without a sign of life after which a run on another machine is taken for gone."""


class JobBusy(ApplicationError):
    """Another run is working on the job."""


def this_run() -> str:
    """This process as a job's runner: `host:pid:start time` (the start time tells a reused pid)."""
    me = psutil.Process()
    return f"{socket.gethostname()}:{me.pid}:{me.create_time():.0f}"


class Runner(NamedTuple):
    host: str
    pid: str
    started: str


def parse_runner(runner: str) -> Runner:
    """The parts of a runner `this_run` wrote (host names hold no colon)."""
    host, _, rest = runner.partition(":")
    pid, _, started = rest.partition(":")
    return Runner(host, pid, started)


def gone(runner: str, seen: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the run `runner`, last seen at `seen`, has stopped: a process of this machine that
    no longer exists, else silent for STALE seconds."""
    host, pid, started = parse_runner(runner)
    if host == socket.gethostname() and pid.isdigit():
        try:
            return f"{psutil.Process(int(pid)).create_time():.0f}" != started
        except psutil.NoSuchProcess:
            return True
    return seen is None or (now - as_utc(seen)).total_seconds() > STALE


@contextmanager
def holding(registry: Registry, job_id: int) -> Iterator[None]:
    """Hold the job for the block, saying every HEARTBEAT seconds that this run is alive. Raises
    JobBusy naming the run that holds it, NotFound for an unknown job."""
    me = this_run()
    now = dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        jobs = ledger.jobs
        job = jobs.job(job_id)
        holder, seen = job.runner, job.runner_seen
        if holder is not None and holder != me and not gone(holder, seen, now):
            raise _busy(job_id, holder, seen, now)
        if not jobs.claim(job_id, me, replacing=holder, at=now):
            raise JobBusy(
                f"job {job_id} was just taken by another run; follow it with `titlecert jobs show {job_id}`"
            )
    if holder is not None and holder != me:
        log.warning("job %s: taking over from %s, which has stopped", job_id, holder)
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat, args=(registry, job_id, me, stop), name="job-heartbeat", daemon=True
    )
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()
        with registry.transaction() as ledger:
            ledger.jobs.let_go(job_id, me)


def _heartbeat(registry: Registry, job_id: int, me: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT):
        try:
            with registry.transaction() as ledger:
                held = ledger.jobs.still_running(job_id, me, at=dt.datetime.now(dt.UTC))
        except Exception as e:  # noqa: BLE001 - the registry away for a moment: try at the next beat
            log.warning("job %s: cannot record that this run is alive: %s", job_id, e)
            continue
        if not held:  # silent past STALE (a stalled machine) and taken over: the work stays exactly once
            log.warning("job %s: another run has taken the job over", job_id)
            return


def _busy(job_id: int, holder: str, seen: dt.datetime | None, now: dt.datetime) -> JobBusy:
    host, pid, _ = parse_runner(holder)
    ago = f", seen {(now - as_utc(seen)).total_seconds():.0f} s ago" if seen else ""
    return JobBusy(
        f"job {job_id} is being run by process {pid} on {host}{ago}; follow it with "
        f"`titlecert jobs show {job_id}`, or run the command again once that run has ended"
    )


__all__ = ["HEARTBEAT", "STALE", "JobBusy", "Runner", "gone", "holding", "parse_runner", "this_run"]
