"""S3-compatible object storage for tests: moto's server mode in a subprocess on a free loopback port,
so boto3 talks real HTTP to it (and moto's own warnings stay in its process)."""

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3

from tests.conftest import free_port

MOTO_SERVER = Path(sys.executable).parent / "moto_server"

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",  # moto's dummy credentials: not secrets, accepted by any moto server
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
"""The environment that points boto3's standard credential chain at moto's dummy credentials."""


def session() -> boto3.session.Session:
    """A boto3 session with the test credentials, whatever the environment holds."""
    return boto3.session.Session(
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_DEFAULT_REGION"],
    )


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    """`moto_server` on 127.0.0.1 until the block ends; yields its endpoint URL. Its output goes to
    `log`."""
    endpoint = f"http://127.0.0.1:{free_port()}"
    port = endpoint.rsplit(":", 1)[1]
    with log.open("wb") as sink:
        proc = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", port], stdout=sink, stderr=sink)
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - loopback test server
            break
        except OSError as e:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"moto_server did not start: {log.read_text(errors='replace')}") from e
            time.sleep(0.1)
    try:
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)
