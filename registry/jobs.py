"""Issuing jobs and their units of work: the only place that queries those tables.

State changes that must happen once (sealed, registered) are made on a row read `FOR UPDATE`
(row-locked on PostgreSQL; SQLite serialises writers), so two workers of one job cannot both
register a unit.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.errors import NotFound
from registry.models import ENDED_JOB_STATES, OPEN_JOB_STATES, IssueJob, IssueUnit, JobState, UnitState

UNFINISHED_UNIT_STATES = (UnitState.PLANNED.value, UnitState.SEALED.value, UnitState.FAILED.value)
"""Units a run still has to work on."""


class JobRepository:
    """Jobs and units, within the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, job: IssueJob, units: Sequence[IssueUnit]) -> IssueJob:
        """Add a job and its units (numbered in order); the job's id is known on return."""
        self.session.add(job)
        self.session.flush()
        for seq, unit in enumerate(units):
            unit.job_id, unit.seq = job.id, seq
            self.session.add(unit)
        self.session.flush()
        return job

    def job(self, job_id: int, *, lock: bool = False) -> IssueJob:
        """The job `job_id`. Raises NotFound."""
        query = select(IssueJob).where(IssueJob.id == job_id)
        job = self.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
        if job is None:
            raise NotFound(f"no issuing job {job_id}")
        return job

    def unit(self, unit_id: int, *, lock: bool = False) -> IssueUnit:
        """The unit `unit_id`. Raises NotFound."""
        query = select(IssueUnit).where(IssueUnit.id == unit_id)
        unit = self.session.execute(query.with_for_update() if lock else query).scalar_one_or_none()
        if unit is None:
            raise NotFound(f"no unit {unit_id} of any issuing job")
        return unit

    def units(self, job_id: int, states: Sequence[str] | None = None) -> list[IssueUnit]:
        """The job's units in order, optionally only those in `states`."""
        query = select(IssueUnit).where(IssueUnit.job_id == job_id)
        if states is not None:
            query = query.where(IssueUnit.state.in_(states))
        return list(self.session.execute(query.order_by(IssueUnit.seq)).scalars())

    def states_of(self, unit_ids: Sequence[int]) -> list[tuple[str, dt.datetime | None]]:
        """(state, last change) of each of these units."""
        rows = self.session.execute(
            select(IssueUnit.state, IssueUnit.updated_at).where(IssueUnit.id.in_(list(unit_ids)))
        ).all()
        return [(state, at) for state, at in rows]

    def counts(self, job_id: int) -> dict[str, int]:
        """How many of the job's units are in each state (every state named, 0 included)."""
        found = Counter(
            self.session.execute(select(IssueUnit.state).where(IssueUnit.job_id == job_id)).scalars()
        )
        return {state.value: found.get(state.value, 0) for state in UnitState}

    def open_by_fingerprint(self, fingerprint: str) -> IssueJob | None:
        """The newest unfinished job made from the same session and options."""
        return self.session.execute(
            select(IssueJob)
            .where(IssueJob.fingerprint == fingerprint, IssueJob.state.in_(OPEN_JOB_STATES))
            .order_by(IssueJob.id.desc())
            .limit(1)
        ).scalar_one_or_none()

    def open_for_folder(self, out_dir: str) -> list[IssueJob]:
        """Unfinished jobs writing to the output folder `out_dir`."""
        return list(
            self.session.execute(
                select(IssueJob).where(IssueJob.out_dir == out_dir, IssueJob.state.in_(OPEN_JOB_STATES))
            ).scalars()
        )

    def open_unit_for_award(self, issue_key: str) -> IssueUnit | None:
        """An unfinished unit of an unfinished job that would issue the award `issue_key`."""
        return self.session.execute(
            select(IssueUnit)
            .join(IssueJob, IssueJob.id == IssueUnit.job_id)
            .where(
                IssueUnit.issue_key == issue_key,
                IssueUnit.state.in_(UNFINISHED_UNIT_STATES),
                IssueJob.state.in_(OPEN_JOB_STATES),
            )
            .limit(1)
        ).scalar_one_or_none()

    def abandon(self, job: IssueJob, *, reason: str, at: dt.datetime) -> list[IssueUnit]:
        """Close an unfinished job for good: its unregistered units will never be registered.
        Returns the units abandoned."""
        abandoned = []
        for unit in self.units(job.id, UNFINISHED_UNIT_STATES):
            unit.state, unit.secrets, unit.updated_at = UnitState.ABANDONED.value, None, at
            abandoned.append(unit)
        job.state, job.error, job.updated_at, job.finished_at = JobState.ABANDONED.value, reason, at, at
        self.session.flush()
        return abandoned

    def ended(self) -> list[int]:
        """The ids of the jobs that completed or were abandoned, oldest first."""
        query = select(IssueJob.id).where(IssueJob.state.in_(ENDED_JOB_STATES)).order_by(IssueJob.id)
        return list(self.session.execute(query).scalars())

    def claim(self, job_id: int, runner: str, *, replacing: str | None, at: dt.datetime) -> bool:
        """Make `runner` the job's run if the job's runner is still `replacing` (None: no run; else
        one the caller found dead or silent). A compare-and-set in one UPDATE, so of two runs
        claiming at once exactly one wins, on SQLite and PostgreSQL. Returns whether it did."""
        held = IssueJob.runner.is_(None) if replacing is None else IssueJob.runner == replacing
        query = update(IssueJob).where(IssueJob.id == job_id, held).values(runner=runner, runner_seen=at)
        return bool(self.session.execute(query).rowcount)  # type: ignore[attr-defined]

    def still_running(self, job_id: int, runner: str, *, at: dt.datetime) -> bool:
        """Record that `runner` is alive; False when it no longer holds the job."""
        query = (
            update(IssueJob).where(IssueJob.id == job_id, IssueJob.runner == runner).values(runner_seen=at)
        )
        return bool(self.session.execute(query).rowcount)  # type: ignore[attr-defined]

    def let_go(self, job_id: int, runner: str) -> None:
        """`runner` no longer works the job (if it still held it)."""
        query = update(IssueJob).where(IssueJob.id == job_id, IssueJob.runner == runner)
        self.session.execute(query.values(runner=None, runner_seen=None))

    def recent(self, *, limit: int = 50, before: int | None = None) -> list[IssueJob]:
        """Jobs newest first, at most `limit`, optionally only those with an id below `before`."""
        query = select(IssueJob)
        if before is not None:
            query = query.where(IssueJob.id < before)
        return list(self.session.execute(query.order_by(IssueJob.id.desc()).limit(limit)).scalars())


__all__ = ["UNFINISHED_UNIT_STATES", "JobRepository"]
