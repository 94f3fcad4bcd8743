"""`titlecert jobs` (issuing jobs in the registry: list, show, resume, clean) and `titlecert worker`."""

import json
import sys

import click

from titlecert.cli.output import print_issue, progress, progress_option
from titlecert.errors import ConfigError
from titlecert.settings import Settings


@click.group()
def jobs() -> None:
    """Issuing jobs: list them, show one, resume one."""


@jobs.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def jobs_list(settings: Settings, limit: int, as_json: bool) -> None:
    """The newest jobs with their states and progress."""
    from titlecert.bootstrap import transaction
    from titlecert.jobs.views import job_json

    with transaction(settings) as ledger:
        repo_jobs = ledger.jobs
        docs = [job_json(job, repo_jobs.counts(job.id)) for job in repo_jobs.recent(limit=limit)]
    if as_json:
        click.echo(json.dumps(docs, ensure_ascii=False, indent=2))
        return
    for doc in docs:
        progress = f"{doc['done']}/{doc['total']} units"
        click.echo(f"{doc['id']:>5} {doc['state']:<10} {progress}  {doc['created_at']}  {doc['out_dir']}")


@jobs.command("show")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def jobs_show(settings: Settings, job_id: int, as_json: bool) -> None:
    """One job and each of its units (state, attempts, last error)."""
    from titlecert.bootstrap import transaction
    from titlecert.jobs.views import job_json, unit_json

    with transaction(settings) as ledger:
        repo_jobs = ledger.jobs
        job = repo_jobs.job(job_id)
        units = repo_jobs.units(job_id)
        doc = job_json(job, repo_jobs.counts(job_id), units)
        rows = [unit_json(u) for u in units]
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"job {doc['id']}: {doc['state']}, {doc['done']} of {doc['total']} units done, into {doc['out_dir']}"
    )
    if doc["runner"]:
        from titlecert.jobs.lease import parse_runner

        host, pid, _ = parse_runner(str(doc["runner"]))
        click.echo(f"  being run by process {pid} on {host} (last seen {doc['runner_seen']})")
    if doc["error"]:
        click.echo(f"  {doc['error']}")
    for unit in rows:
        line = f"  {unit['seq']:>4} {unit['state']:<10} {unit['label']}"
        click.echo(line + (f"  ({unit['error']})" if unit["error"] and unit["state"] == "failed" else ""))


@jobs.command("resume")
@click.argument("job_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@progress_option
@click.pass_obj
def jobs_resume(settings: Settings, job_id: int, as_json: bool, progress_mode: str) -> None:
    """Finish an unfinished job from the registry alone (the session file is not needed)."""
    from titlecert.issuing import resume_job

    result = resume_job(settings, job_id, progress=progress(progress_mode))
    print_issue(result, as_json)
    sys.exit(1 if result.errors else 0)


@jobs.command("clean")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def jobs_clean(settings: Settings, as_json: bool) -> None:
    """Delete the staging folders ended jobs left in the document store (a completed job's goes
    when it completes; a run stopped just then, or a job abandoned, leaves it). Issued documents
    are never touched: a session document only the folder holds is archived first."""
    from titlecert.bootstrap import bootstrap
    from titlecert.jobs.clean import clean_ended_jobs
    from titlecert.jobs.work import WorkContext

    try:
        ctx = WorkContext.of(bootstrap(settings))
    except OSError as e:
        raise ConfigError(f"{e}; run `titlecert init` first") from e
    try:
        cleaned = clean_ended_jobs(ctx)
    finally:
        ctx.close()
    if as_json:
        click.echo(json.dumps([c.__dict__ for c in cleaned], indent=2))
        return
    for c in cleaned:
        archived = f", {c.archived} session documents archived first" if c.archived else ""
        click.echo(f"job {c.job_id}: {c.deleted} staging copies deleted{archived}")
    click.echo(f"{len(cleaned)} ended jobs cleaned" if cleaned else "nothing to clean")


@click.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Worker processes, each with its own LibreOffice and keys (default: the CPU count).",
)
@click.option("--name", default=None, help="The worker's name, e.g. w1@%h (default: celery@<host>).")
@click.option(
    "--loglevel", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default="INFO", show_default=True
)
@click.pass_obj
def worker(settings: Settings, concurrency: int | None, name: str | None, loglevel: str) -> None:
    """Do issuing work sent through TITLECERT_BROKER_URL, until stopped (SIGTERM or Ctrl-C).

    Every worker machine needs the instance's settings and keys, the registry on PostgreSQL and the
    document store on S3 shared with the machine that runs `issue`."""
    import os

    from titlecert.jobs.distributed import run_worker

    sys.exit(
        run_worker(settings, concurrency=concurrency or os.cpu_count() or 1, name=name, loglevel=loglevel)
    )
