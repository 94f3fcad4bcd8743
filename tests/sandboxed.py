"""Analyses that misbehave, for tests/integration/test_sandbox.py: each is named to the sandbox's
child (`IsolatedAnalyser(analyse=...)`), which imports this module and runs it under the limits.
The file's bytes are the misbehaviour's argument."""

import datetime as dt
import json
import os
import resource
import time
from pathlib import Path

from signing.trust import TrustSettings
from verify.checks import Analysis


def allocate(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """Allocate as many MiB as the file says, and touch them."""
    block = bytearray(int(data) * 2**20)
    return Analysis(validation_time=str(len(block)))


def spin(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    while True:
        pass


def sleep(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    time.sleep(3600)
    return Analysis()


def write(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """Write into the file whose path the upload names."""
    Path(data.decode()).write_bytes(b"escaped")
    return Analysis()


def crash(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    os.abort()


def garbage(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """Answer something that is not an analysis, and succeed."""
    os.write(1, b"%PDF not a verdict")
    os._exit(0)


def limits(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    """The limits the child runs under, and the environment it sees, as the validation time."""
    names = ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CORE")
    seen = {name: resource.getrlimit(getattr(resource, name)) for name in names}
    return Analysis(validation_time=json.dumps({"limits": seen, "env": sorted(os.environ)}))
