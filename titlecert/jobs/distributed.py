"""Issuing across machines: a job's units as Celery tasks (TITLECERT_BROKER_URL).

`issue` validates the session and opens the job exactly as on one machine (`titlecert.jobs.plan`),
then sends one task per unfinished unit to the broker instead of working itself, and follows the
job in the registry until every unit sent has settled. `titlecert worker` runs a Celery worker on
any machine that shares the registry (PostgreSQL) and the document store (S3): each of its worker
processes keeps one `WorkContext`, its own LibreOffice and the sealing keys for its whole life, and
runs `process_unit` for each task.

A task carries only the unit's id; the registry and the store are the truth. Delivery is at least
once (late acknowledgement: a task whose worker process dies is delivered again), and
`process_unit` makes that exactly once: a registered unit is not redone, a sealed one is registered
without sealing again, and the unit's row is locked while it is registered.
"""

import datetime as dt
import logging
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from typing import Any

from billiard.process import current_process
from celery import Celery, Task
from celery.signals import worker_process_shutdown

from registry.chinatime import as_utc
from registry.errors import RegistryError
from registry.jobs import UNFINISHED_UNIT_STATES
from registry.models import UnitState
from titlecert.bootstrap import bootstrap
from titlecert.errors import ConfigError
from titlecert.jobs.convert import Converter, open_converter
from titlecert.jobs.process import process_unit
from titlecert.jobs.progress import Progress, Tally
from titlecert.jobs.work import WorkContext
from titlecert.settings import Settings

log = logging.getLogger(__name__)

UNIT_TASK = "titlecert.unit"
"""The task's name: one unit of work, by id."""
POLL_SECONDS = 0.5
"""How often `run_job_distributed` reads the job's progress from the registry."""
SETTLED = (UnitState.REGISTERED.value, UnitState.ABANDONED.value)


def celery_app(settings: Settings) -> Celery:
    """The Celery application of this instance (nothing connects until it is used).

    Raises ConfigError when no broker is configured.
    """
    broker = settings.pipeline.broker_url
    if not broker:
        raise ConfigError("TITLECERT_BROKER_URL is not set: there is no broker to send work to")
    app = Celery("titlecert", broker=broker, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # acknowledged when done: a worker that dies mid-unit gives it back
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # a unit takes seconds: no worker hoards the queue
        task_ignore_result=True,  # the registry holds the outcome
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.pipeline.queue,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        # A unit delivered to a worker that never acknowledges it (its machine lost) goes to another
        # after this long (Redis; RabbitMQ redelivers when the consumer's connection drops).
        broker_transport_options={"visibility_timeout": settings.pipeline.redelivery_seconds},
    )

    @app.task(name=UNIT_TASK, bind=True, max_retries=10)
    def unit(task: "Task[Any, Any]", unit_id: int) -> str:
        ctx, converter = _resources(settings, task.request.hostname or "worker")
        try:
            state = process_unit(ctx, converter, unit_id)
        except (RegistryError, OSError) as e:  # the registry or the store is away: try again later
            log.warning("unit %s: %s; retrying", unit_id, e)
            raise task.retry(exc=e, countdown=5) from e
        if state == UnitState.FAILED.value:
            log.warning("unit %s failed by %s: %s", unit_id, task.request.hostname, _error_of(ctx, unit_id))
        else:
            log.info("unit %s %s by %s", unit_id, state, task.request.hostname)
        return state

    return app


def _error_of(ctx: WorkContext, unit_id: int) -> str | None:
    with ctx.registry.transaction() as ledger:
        return ledger.jobs.unit(unit_id).error


_RESOURCES: tuple[WorkContext, Converter, ExitStack] | None = None


def _resources(settings: Settings, hostname: str) -> tuple[WorkContext, Converter]:
    """This worker process's context and converter, made on its first task (after the fork).

    Its LibreOffice's profile is the folder of the worker's process slot (`worker-name/index`):
    the process that replaces one that died takes the same slot, and its pool kills the dead
    one's LibreOffice, which had outlived it.
    """
    global _RESOURCES
    if _RESOURCES is None:
        stack = ExitStack()
        ctx = WorkContext.of(bootstrap(settings))
        stack.callback(ctx.close)
        one = replace(settings, pipeline=replace(settings.pipeline, convert_workers=1))
        slot = getattr(current_process(), "index", None) or 0
        root = settings.soffice_pool / "workers" / re.sub(r"[^\w.@-]", "_", hostname) / str(slot)
        converter, _ = stack.enter_context(open_converter(one, profile_root=root))
        _RESOURCES = (ctx, converter, stack)
    return _RESOURCES[0], _RESOURCES[1]


@worker_process_shutdown.connect
def _close_resources(**_: object) -> None:
    """Stop this worker process's LibreOffice and close its connections."""
    global _RESOURCES
    if _RESOURCES is not None:
        _RESOURCES[2].close()
        _RESOURCES = None


def run_worker(settings: Settings, *, concurrency: int, name: str | None, loglevel: str) -> int:
    """Run a worker on this machine until it is stopped (SIGTERM, Ctrl-C); returns its exit code.
    Raises ConfigError when no broker is configured."""
    app = celery_app(settings)
    worker = app.Worker(
        concurrency=concurrency,
        hostname=name,
        queues=[settings.pipeline.queue],
        loglevel=loglevel,
        pool="prefork",
        optimization="fair",
    )
    worker.start()
    return int(worker.exitcode or 0)


def run_job_distributed(ctx: WorkContext, job_id: int, *, progress: Progress) -> Tally:
    """Send every unfinished unit of the job to the broker and wait until each has settled
    (registered, abandoned, or failed again after being sent). Returns the tally.

    Raises ConfigError when no broker is configured, the registry's errors when it cannot be
    reached. Interrupting the wait leaves the units with the workers; `jobs resume` follows them again.
    """
    app = celery_app(ctx.settings)
    with ctx.registry.transaction() as ledger:
        jobs = ledger.jobs
        sent = [u.id for u in jobs.units(job_id, UNFINISHED_UNIT_STATES)]
        tally = Tally.of(job_id, jobs.counts(job_id))
    started_done = tally.done
    sent_at = dt.datetime.now(dt.UTC)
    for unit_id in sent:
        app.send_task(UNIT_TASK, args=[unit_id], queue=ctx.settings.pipeline.queue)
    log.info("job %s: %d units sent to the broker", job_id, len(sent))
    progress.update(tally)
    for counts, waiting in _follow(ctx, job_id, sent, sent_at):
        now = {state.value: counts.get(state.value, 0) for state in UnitState}
        if now != tally.counts:
            tally.counts = now
            tally.finished_here = tally.done - started_done
            progress.update(tally)
        if not waiting:
            break
    return tally


def _follow(
    ctx: WorkContext, job_id: int, sent: list[int], sent_at: dt.datetime
) -> Iterator[tuple[dict[str, int], int]]:
    """The job's unit counts and how many sent units have not settled, every POLL_SECONDS."""
    while True:
        with ctx.registry.transaction() as ledger:
            counts = ledger.jobs.counts(job_id)
            rows = ledger.jobs.states_of(sent)
        yield counts, sum(1 for state, at in rows if not _settled(state, at, sent_at))
        time.sleep(POLL_SECONDS)


def _settled(state: str, updated_at: dt.datetime | None, sent_at: dt.datetime) -> bool:
    if state in SETTLED:
        return True
    if state != UnitState.FAILED.value or updated_at is None:
        return False
    return as_utc(updated_at) >= sent_at
