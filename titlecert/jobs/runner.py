"""The local runner: a job's unfinished units through overlapped stages on this machine.

Rendering happens in this thread; conversion in `feeders` threads feeding the `Converter`; the
finishing (check, page codes, e-seals) in a pool of `sign_workers` processes, each loading keys,
font and network clients once (`sealing.init_process`); registering in this thread, unit by unit,
as they come back. At most `window` units are between rendering and registering, so memory stays
bounded however large the batch. Units sealed by an earlier run are registered from their stored
PDFs without sealing again; failed ones are made again.
"""

import logging
import multiprocessing
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import Conflict, NotFound, RegistryError
from registry.jobs import UNFINISHED_UNIT_STATES
from registry.models import UnitState
from titlecert.jobs.convert import Converter
from titlecert.jobs.progress import Progress, Tally
from titlecert.jobs.register import StaleSeal, register_unit
from titlecert.jobs.work import (
    UnitWork,
    WorkContext,
    convert,
    fail_unit,
    finish_specs,
    load_unit,
    record_sealed,
    render,
    reset_unit,
    write_out,
)
from titlecert.sealing import LOGGERS, FinishError, finish_in_process, init_process

log = logging.getLogger(__name__)


@dataclass
class _InFlight:
    work: UnitWork
    docx: list[bytes]
    pdfs: list[bytes | None]
    failed: bool = False


class _Run:
    """One run over a job's unfinished units."""

    def __init__(self, ctx: WorkContext, job_id: int, out_dir: Path, progress: Progress) -> None:
        self.ctx, self.job_id, self.out_dir, self.progress = ctx, job_id, out_dir, progress
        with ctx.registry.transaction() as ledger:
            jobs = ledger.jobs
            units = jobs.units(job_id, UNFINISHED_UNIT_STATES)
            self.tally = Tally.of(job_id, jobs.counts(job_id))
        self.todo = deque(u.id for u in units)
        self.states = {u.id: u.state for u in units}

    def move(self, unit_id: int, state: str) -> None:
        self.tally.move(self.states.get(unit_id, state), state)
        self.states[unit_id] = state
        self.progress.update(self.tally)

    def fail(self, work: UnitWork, error: BaseException) -> None:
        message = str(error) if isinstance(error, FinishError | StaleSeal) else f"{work.label}: {error}"
        log.info("unit %s failed: %s", work.label, message)
        fail_unit(self.ctx, work.unit_id, message)
        self.move(work.unit_id, UnitState.FAILED.value)

    def register(self, work: UnitWork, blobs: dict[str, bytes]) -> bool:
        """Register a sealed unit and write its PDFs out; False when its stored PDFs are stale."""
        try:
            registered = register_unit(self.ctx, work.unit_id, blobs)
        except StaleSeal:
            reset_unit(self.ctx, work.unit_id)
            self.move(work.unit_id, UnitState.PLANNED.value)
            return False
        except (Conflict, NotFound) as e:
            self.fail(work, e)
            return True
        if registered is not None:
            write_out(self.out_dir, *registered)
            self.move(work.unit_id, UnitState.REGISTERED.value)
        return True

    def start(self, unit_id: int) -> _InFlight | None:
        """Load and render a unit; None when it needs no conversion (registered from stored PDFs,
        or failed)."""
        work = load_unit(self.ctx, unit_id)
        if work.state in (UnitState.REGISTERED, UnitState.ABANDONED):
            return None
        if work.sealed and self.register(work, {}):
            return None
        try:
            docx = render(work)
        except FinishError as e:
            self.fail(work, e)
            return None
        return _InFlight(work, docx, [None] * len(docx))


def run_job(
    ctx: WorkContext, job_id: int, *, out_dir: Path, converter: Converter, feeders: int, progress: Progress
) -> Tally:
    """Work on every unfinished unit of the job until each is registered or failed. Returns the
    tally. Raises the registry's errors when it cannot be reached (units stay as they were)."""
    run = _Run(ctx, job_id, out_dir, progress)
    progress.update(run.tally)
    if not run.todo:
        return run.tally
    pipeline = ctx.settings.pipeline
    window = 2 * (pipeline.convert_workers + pipeline.sign_workers) + 2
    levels = {name: logging.getLogger(name).getEffectiveLevel() for name in LOGGERS}
    spawn = multiprocessing.get_context("spawn")  # nothing of this process (tokens, sessions) is inherited
    converting = ThreadPoolExecutor(feeders, thread_name_prefix="convert")
    sealing = ProcessPoolExecutor(
        pipeline.sign_workers, mp_context=spawn, initializer=init_process, initargs=(ctx.settings, levels)
    )
    active: dict[Future[Any], tuple[_InFlight, int]] = {}
    in_flight = 0
    try:
        while run.todo or active:
            while run.todo and in_flight < window:
                unit = run.start(run.todo.popleft())
                if unit is not None:
                    in_flight += 1
                    for i, docx in enumerate(unit.docx):
                        active[converting.submit(convert, converter, unit.work, i, docx)] = (unit, i)
            if not active:
                continue
            done, _ = wait(active, return_when=FIRST_COMPLETED)
            for future in done:
                unit, index = active.pop(future)
                if unit.failed:
                    continue
                try:
                    result = future.result()
                    if index >= 0:
                        unit.pdfs[index] = result
                        if all(p is not None for p in unit.pdfs):
                            pdfs = [p for p in unit.pdfs if p is not None]
                            specs = finish_specs(unit.work)
                            active[sealing.submit(finish_in_process, ctx.settings, specs, pdfs)] = (unit, -1)
                        continue
                    blobs = record_sealed(ctx, unit.work, result)
                except (RegistryError, KeyboardInterrupt):
                    raise
                except Exception as e:  # one unit fails, named; the others go on
                    unit.failed = True
                    in_flight -= 1
                    run.fail(unit.work, e)
                    continue
                in_flight -= 1
                run.move(unit.work.unit_id, UnitState.SEALED.value)
                if not run.register(unit.work, blobs):
                    run.todo.append(unit.work.unit_id)
    finally:
        converting.shutdown(wait=True, cancel_futures=True)
        sealing.shutdown(wait=True, cancel_futures=True)
    return run.tally
