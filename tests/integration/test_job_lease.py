"""One run per job, on SQLite and PostgreSQL: a second run is refused naming the first; a run that
has stopped (a process of this machine gone, or one elsewhere silent too long) is taken over; of
two runs claiming at once exactly one wins; a holder keeps saying it is alive."""

import datetime as dt
import subprocess
import sys
import threading

import pytest

from registry.db import Registry
from registry.models import IssueJob
from titlecert.jobs import lease
from titlecert.jobs.lease import JobBusy, holding, this_run


def new_job(registry: Registry) -> int:
    now = dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        job = IssueJob(
            fingerprint="f" * 64,
            out_dir="out",
            inputs="jobs/1/session.json",
            plan="{}",
            actor="office",
            created_at=now,
            updated_at=now,
        )
        return ledger.jobs.add(job, []).id


def set_runner(registry: Registry, job_id: int, runner: str | None, seen: dt.datetime | None) -> None:
    with registry.transaction() as ledger:
        job = ledger.jobs.job(job_id)
        job.runner, job.runner_seen = runner, seen


def runner_of(registry: Registry, job_id: int) -> tuple[str | None, dt.datetime | None]:
    with registry.transaction() as ledger:
        job = ledger.jobs.job(job_id)
        return job.runner, job.runner_seen


def test_a_second_run_is_refused_naming_the_first_and_the_job_is_free_after(registry: Registry) -> None:
    job_id = new_job(registry)
    with holding(registry, job_id):
        assert runner_of(registry, job_id)[0] == this_run()
        other = "office-pc:4242:1700000000"  # another machine's run, seen just now
        set_runner(registry, job_id, other, dt.datetime.now(dt.UTC))
        busy = rf"job {job_id} is being run by process 4242 on office-pc, seen 0 s ago"
        with pytest.raises(JobBusy, match=busy), holding(registry, job_id):
            pass
        set_runner(registry, job_id, this_run(), dt.datetime.now(dt.UTC))
    assert runner_of(registry, job_id) == (None, None)


def test_a_holder_says_it_is_alive(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lease, "HEARTBEAT", 0.1)
    job_id = new_job(registry)
    with holding(registry, job_id):
        first = runner_of(registry, job_id)[1]
        threading.Event().wait(0.5)
        later = runner_of(registry, job_id)[1]
        assert first is not None and later is not None and later > first


def test_a_run_that_stopped_is_taken_over(registry: Registry) -> None:
    job_id = new_job(registry)
    dead = subprocess.run(  # a run of this machine that has ended (as after kill -9)
        [sys.executable, "-c", "from titlecert.jobs.lease import this_run; print(this_run())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    set_runner(registry, job_id, dead, dt.datetime.now(dt.UTC))
    with holding(registry, job_id):
        assert runner_of(registry, job_id)[0] == this_run()
    silent = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=lease.STALE + 5)
    set_runner(registry, job_id, "lost-machine:7:1700000000", silent)  # elsewhere, silent too long
    with holding(registry, job_id):
        assert runner_of(registry, job_id)[0] == this_run()
    recent = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=lease.STALE - 20)
    set_runner(registry, job_id, "busy-machine:7:1700000000", recent)
    with pytest.raises(JobBusy, match="process 7 on busy-machine, seen 40 s ago"), holding(registry, job_id):
        pass


def test_of_two_runs_claiming_at_once_exactly_one_wins(registry: Registry) -> None:
    job_id = new_job(registry)
    now = dt.datetime.now(dt.UTC)
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def claim(n: int) -> None:
        barrier.wait()
        with registry.transaction() as ledger:
            results.append(ledger.jobs.claim(job_id, f"host:{n}:1", replacing=None, at=now))

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 5 + [True]
