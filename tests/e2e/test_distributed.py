"""Issuing spread over Celery workers, as a deployment runs it: two `titlecert worker` processes on
this machine, the broker on Redis, the registry on PostgreSQL; `titlecert issue` only plans the job
and follows it. Skipped, saying why, when Redis or PostgreSQL is not reachable."""

import json
import os
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest
import redis
from sqlalchemy import create_engine, text

from docgen.sample import write_sample
from tests.conftest import REDIS_URL, TITLECERT, Instance, make_instance, postgres_database
from titlecert.jobs.distributed import UNIT_TASK


@dataclass
class Cluster:
    inst: Instance
    database_url: str
    workers: list[subprocess.Popen[bytes]]
    logs: list[Path]

    def query(self, sql: str) -> list[Any]:
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql)).all())
        finally:
            engine.dispose()

    def log(self, index: int) -> str:
        return self.logs[index].read_text(errors="replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a worker and everything it started (its LibreOffice included)."""
    with suppress(psutil.NoSuchProcess):
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(family, timeout=20)
        for p in alive:
            with suppress(psutil.NoSuchProcess):
                p.kill()
    proc.wait(timeout=10)


def launch_worker(inst: Instance, name: str, **env: str) -> tuple[subprocess.Popen[bytes], Path]:
    """`titlecert worker --name NAME@test` (one process), logging to the home's worker-NAME.log."""
    log = inst.home / f"worker-{name}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [str(TITLECERT), "worker", "--concurrency", "1", "--name", f"{name}@test"],
            env={**inst.env, **env},
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
    return proc, log


def wait_ready(workers: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    deadline = time.monotonic() + 90
    while not all("ready." in p.read_text(errors="replace") for p in logs):
        dead = [p for w, p in zip(workers, logs, strict=True) if w.poll() is not None]
        if dead or time.monotonic() > deadline:
            pytest.fail("workers did not start:\n" + "\n".join(p.read_text(errors="replace") for p in logs))
        time.sleep(0.3)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as e:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {e}")
    with postgres_database("titlecert_workers") as database_url:
        home = tmp_path_factory.mktemp("cluster") / "home"
        queue = f"titlecert-test-{secrets.token_hex(4)}"  # runs sharing the Redis never share work
        inst = make_instance(
            home,
            TITLECERT_DATABASE_URL=database_url,
            TITLECERT_BROKER_URL=REDIS_URL,
            TITLECERT_BROKER_QUEUE=queue,
        )
        inst.run("init")
        workers, logs = [], []
        try:
            for name in ("w1", "w2"):
                proc, log = launch_worker(inst, name)
                workers.append(proc)
                logs.append(log)
            wait_ready(workers, logs)
            yield Cluster(inst, database_url, workers, logs)
        finally:
            for proc in workers:
                _stop(proc)
            for orphan in psutil.process_iter(["cmdline"]):  # a killed worker process's LibreOffice
                if str(home) in " ".join(orphan.info["cmdline"] or ()):
                    with suppress(psutil.NoSuchProcess):
                        orphan.kill()


def units_done_by(log: str) -> set[int]:
    return {int(n) for n in re.findall(r"unit (\d+) registered by", log)}


def test_two_workers_share_a_job_and_every_certificate_is_registered_once_and_valid(
    cluster: Cluster, tmp_path: Path
) -> None:
    source = tmp_path / "session.json"
    write_sample(source, 5, seed=2)
    proc = cluster.inst.run(
        "issue", str(source), "--out", str(tmp_path / "out"), "--json", "--progress", "json"
    )
    result = json.loads(proc.stdout)
    certificates = [d for d in result["documents"] if d["kind"] == "certificate"]
    assert certificates and not result["errors"]
    numbers = [d["certificate_no"] for d in certificates]
    assert len(set(numbers)) == len(numbers)
    registered = {row[0] for row in cluster.query("select certificate_no from certificates")}
    assert set(numbers) <= registered
    # The work was shared: each worker registered units of this job.
    first, second = units_done_by(cluster.log(0)), units_done_by(cluster.log(1))
    assert first and second and not first & second
    # The submitting machine wrote every PDF, and they are the registered, valid ones.
    report = json.loads(cluster.inst.run("verify", "--json", *(d["path"] for d in certificates)).stdout)
    assert [r["verdict"] for r in report] == ["valid"] * len(certificates)
    progress = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert progress and progress[-1]["done"] == progress[-1]["total"]


def test_a_worker_process_killed_mid_job_gives_its_unit_back_and_nothing_is_issued_twice(
    cluster: Cluster, tmp_path: Path
) -> None:
    source = tmp_path / "session.json"
    write_sample(source, 6, seed=3)
    out = tmp_path / "out"
    with (tmp_path / "issue.log").open("wb") as sink:
        issuing = subprocess.Popen(
            [str(TITLECERT), "issue", str(source), "--out", str(out), "--json", "--progress", "none"],
            env=cluster.inst.env,
            stdout=subprocess.PIPE,
            stderr=sink,
        )
    try:
        before = len(cluster.query("select 1 from certificates"))
        deadline = time.monotonic() + 240
        while len(cluster.query("select 1 from certificates")) == before:  # the job is under way
            assert issuing.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        # SIGKILL the first worker's process (not its parent, which stays up and starts a new one)
        # while it works on a unit: Celery reports the unit's worker lost and it goes back.
        worker = psutil.Process(cluster.workers[0].pid)
        for _ in range(20):
            for child in [p for p in worker.children() if "soffice" not in p.name()]:
                child.kill()
            time.sleep(1)
            if "WorkerLostError" in cluster.log(0):
                break
        assert "WorkerLostError" in cluster.log(0)
        stdout, _ = issuing.communicate(timeout=600)
    finally:
        if issuing.poll() is None:
            issuing.kill()
            issuing.communicate()
    assert issuing.returncode == 0, (tmp_path / "issue.log").read_text()
    result = json.loads(stdout)
    certificates = [d for d in result["documents"] if d["kind"] == "certificate"]
    numbers = [d["certificate_no"] for d in certificates]
    rows = cluster.query("select certificate_no, sha256 from certificates")
    assert len({no for no, _ in rows}) == len(rows)  # no number twice
    assert set(numbers) <= {no for no, _ in rows}
    units = cluster.query("select state from issue_units where job_id = (select max(id) from issue_jobs)")
    assert {state for (state,) in units} == {"registered"}
    report = json.loads(cluster.inst.run("verify", "--json", *(d["path"] for d in certificates)).stdout)
    assert [r["verdict"] for r in report] == ["valid"] * len(certificates)


def tasks(log: str, event: str) -> set[str]:
    """The ids of the unit tasks a worker's log says were `received` or `succeeded`."""
    return set(re.findall(rf"Task {re.escape(UNIT_TASK)}\[([0-9a-f-]+)\] {event}", log))


def test_a_worker_machine_lost_mid_unit_has_its_unit_taken_over_after_the_redelivery_time(
    cluster: Cluster, tmp_path: Path
) -> None:
    """The whole first worker dies at once, as with its machine: nothing acknowledges or gives back
    the unit it holds. A live worker takes that unit over once TITLECERT_BROKER_REDELIVERY has passed
    (here 15 s; this module's last test, as the first worker stays dead)."""
    rescuer, rescuer_log = launch_worker(cluster.inst, "w3", TITLECERT_BROKER_REDELIVERY="15")
    try:
        wait_ready([rescuer], [rescuer_log])
    except BaseException:
        _stop(rescuer)
        raise
    source = tmp_path / "session.json"
    write_sample(source, 6, seed=4)
    out = tmp_path / "out"
    lost = cluster.workers[0]
    try:
        with (tmp_path / "issue.log").open("wb") as sink:
            issuing = subprocess.Popen(
                [str(TITLECERT), "issue", str(source), "--out", str(out), "--json", "--progress", "none"],
                env=cluster.inst.env,
                stdout=subprocess.PIPE,
                stderr=sink,
            )
        deadline = time.monotonic() + 240
        while not (held := tasks(cluster.log(0), "received") - tasks(cluster.log(0), "succeeded")):
            assert issuing.poll() is None and time.monotonic() < deadline, "the first worker got no unit"
            time.sleep(0.1)
        family = [psutil.Process(lost.pid), *psutil.Process(lost.pid).children(recursive=True)]
        os.killpg(lost.pid, signal.SIGKILL)  # the worker and its processes at once, mid-unit
        lost.wait(timeout=10)
        psutil.wait_procs(family, timeout=15)
        stdout, _ = issuing.communicate(timeout=600)
    finally:
        if issuing.poll() is None:
            issuing.kill()
            issuing.communicate()
        _stop(rescuer)
    assert issuing.returncode == 0, (tmp_path / "issue.log").read_text()
    # The unit the lost worker held was delivered again, under the same task id, and done.
    taken_over = tasks(rescuer_log.read_text(errors="replace"), "succeeded") | tasks(
        cluster.log(1), "succeeded"
    )
    assert held <= taken_over
    # Its LibreOffice went with it (each instance's lifeline), as on a machine that is gone.
    lost_pool = str(cluster.inst.home / "soffice-pool" / "workers" / "w1")
    assert not [p for p in psutil.process_iter(["cmdline"]) if lost_pool in " ".join(p.info["cmdline"] or ())]
    certificates = [d for d in json.loads(stdout)["documents"] if d["kind"] == "certificate"]
    rows = cluster.query("select certificate_no from certificates")
    assert len({no for (no,) in rows}) == len(rows) and {d["certificate_no"] for d in certificates} <= {
        no for (no,) in rows
    }
    units = cluster.query("select state from issue_units where job_id = (select max(id) from issue_jobs)")
    assert {state for (state,) in units} == {"registered"}
