"""The pipeline benchmark's Celery run: `titlecert worker` processes on PostgreSQL, Redis and the
S3 store of this machine, timed issuing a session through the broker."""

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from harness import TITLECERT, issue_timed, titlecert

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"titlecert_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as e:
        print(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {e}", file=sys.stderr)
        yield None
        return
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def workers(env: dict[str, str], count: int, logs: Path) -> Iterator[None]:
    procs = []
    for n in range(count):
        log = logs / f"worker-{count}-{n}.log"
        with log.open("wb") as sink:
            procs.append(
                (
                    subprocess.Popen(
                        [str(TITLECERT), "worker", "--concurrency", "1", "--name", f"bench{n}@%h"],
                        env=env,
                        stdout=sink,
                        stderr=sink,
                        start_new_session=True,
                    ),
                    log,
                )
            )
    try:
        deadline = time.monotonic() + 120
        while not all("ready." in log.read_text(errors="replace") for _, log in procs):
            if time.monotonic() > deadline or any(p.poll() is not None for p, _ in procs):
                sys.exit("workers did not start:\n" + "\n".join(log.read_text() for _, log in procs))
            time.sleep(0.3)
        time.sleep(7)  # each worker process's LibreOffice starts with its first unit: let them warm
        yield
    finally:
        for p, _ in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
        for p, _ in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def celery_rows(base_env: dict[str, str], tmp: Path, applicants: int) -> list[list[str]]:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as e:
        print(f"Celery rows skipped: Redis not reachable at {REDIS_URL}: {e}", file=sys.stderr)
        return []
    rows = []
    for count in (1, 2):
        with postgres_database() as database_url:
            if database_url is None:
                print("Celery rows skipped: PostgreSQL not reachable", file=sys.stderr)
                return []
            home = tmp / f"celery-{count}"
            shutil.copytree(
                base_env["TITLECERT_HOME"], home, ignore=shutil.ignore_patterns("registry.sqlite3*")
            )
            env = {
                **base_env,
                "TITLECERT_HOME": str(home),
                "TITLECERT_DATABASE_URL": database_url,
                "TITLECERT_BROKER_URL": REDIS_URL,
                "TITLECERT_BROKER_QUEUE": f"bench-{secrets.token_hex(4)}",
            }
            titlecert(env, "init")
            session = tmp / f"celery-{count}.json"
            titlecert(env, "sample", "--applicants", str(applicants), "--out", str(session))
            with workers(env, count, tmp):
                r = issue_timed(env, session, tmp / f"celery-out-{count}")
            certs = r["kinds"].get("certificate", 0)
            rows.append(
                [
                    f"{count} worker{'s' if count > 1 else ''} × 1 process",
                    str(applicants),
                    str(certs),
                    str(r["documents"]),
                    f"{r['wall']:.1f}",
                    f"{certs / r['wall']:.2f}",
                    f"{r['documents'] / r['wall']:.2f}",
                ]
            )
    return rows
