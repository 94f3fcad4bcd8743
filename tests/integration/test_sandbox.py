"""Uploads are parsed in an isolated, resource-limited child of the zygote (docs/verification-threats.md,
"Untrusted uploads")."""

import datetime as dt
import json
import os
import resource
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest

from signing.trust import TrustSettings, load_trust_settings
from tests import sandboxed
from tests.conftest import Instance, Issued
from verify.checks import Analysis, analyse_pdf
from verify.report import Verdict
from verify.rules import RuleId
from verify.sandbox import IsolatedAnalyser, Limits
from verify.sandbox_pool import Pool

OVER_LIMITS = ["the file could not be analysed within the service's limits"]


@pytest.fixture(scope="module")
def trust(instance: Instance) -> TrustSettings:
    return load_trust_settings(instance.home / "trust.json")


@pytest.fixture(scope="module")
def pool() -> Iterator[Pool]:
    """A zygote of this module's own, so that killing it disturbs no other test."""
    own = Pool()
    yield own
    own.close()


def child(pool: Pool, analyse: Callable[..., Analysis], **limits: Any) -> IsolatedAnalyser:
    return IsolatedAnalyser(Limits(**limits), pool=pool, analyse=analyse)


def still_works(pool: Pool, trust: TrustSettings, issued: Issued) -> bool:
    return IsolatedAnalyser(pool=pool)(issued.pdf(0), trust).verdict is Verdict.VALID


def test_the_worker_reaches_the_same_verdict(trust: TrustSettings, issued: Issued) -> None:
    data, now = issued.pdf(0), dt.datetime.now(dt.UTC)
    isolated, direct = IsolatedAnalyser()(data, trust, now), analyse_pdf(data, trust, now)
    assert isolated == direct and isolated.verdict is Verdict.VALID
    assert isolated.validation_time == now.isoformat()


def test_a_damaged_file_gets_the_same_findings_as_in_process(trust: TrustSettings, issued: Issued) -> None:
    data = bytearray(issued.pdf(0))
    data[len(data) // 2] ^= 0xFF  # inside the signed bytes
    now = dt.datetime.now(dt.UTC)
    isolated, direct = IsolatedAnalyser()(bytes(data), trust, now), analyse_pdf(bytes(data), trust, now)
    assert isolated == direct and isolated.verdict is not Verdict.VALID


def test_trust_settings_survive_the_trip_to_the_worker(trust: TrustSettings) -> None:
    copy = TrustSettings.from_dict(trust.to_dict())
    assert [a.dump() for a in copy.anchors] == [a.dump() for a in trust.anchors] and copy.roles == trust.roles


def test_the_limits_are_the_childs_not_the_servers(pool: Pool, trust: TrustSettings) -> None:
    limits = Limits(memory_bytes=900 * 2**20, cpu_seconds=7, open_files=32)
    seen = json.loads(
        IsolatedAnalyser(limits, pool=pool, analyse=sandboxed.limits)(b"", trust).validation_time or ""
    )
    assert seen["limits"] == {
        "RLIMIT_AS": [900 * 2**20] * 2,
        "RLIMIT_CPU": [7, 7],
        "RLIMIT_NOFILE": [32, 32],
        "RLIMIT_FSIZE": [0, 0],
        "RLIMIT_CORE": [0, 0],
    }
    assert "PATH" in seen["env"] and not [name for name in seen["env"] if name.startswith("TITLECERT_")]
    assert psutil.Process(pool.pid).rlimit(psutil.RLIMIT_FSIZE) == (resource.RLIM_INFINITY,) * 2
    assert resource.getrlimit(resource.RLIMIT_FSIZE) == (resource.RLIM_INFINITY,) * 2


def test_a_worker_out_of_memory_means_malformed_not_a_crash(trust: TrustSettings, issued: Issued) -> None:
    starved = IsolatedAnalyser(Limits(memory_bytes=48 * 1024 * 1024))(issued.pdf(0), trust)
    assert starved.verdict is Verdict.MALFORMED
    assert starved.reasons == OVER_LIMITS


def test_a_child_over_its_memory_is_refused_and_the_next_upload_works(
    pool: Pool, trust: TrustSettings, issued: Issued
) -> None:
    limited = child(pool, sandboxed.allocate, memory_bytes=768 * 2**20)
    assert limited(b"16", trust).validation_time == str(16 * 2**20)  # the allocation itself works
    refused = limited(b"1024", trust)
    assert (refused.rules, refused.verdict, refused.reasons) == (
        [RuleId.ADMIT_LIMITS],
        Verdict.MALFORMED,
        OVER_LIMITS,
    )
    assert still_works(pool, trust, issued)


def test_a_child_over_its_cpu_time_is_stopped_by_the_kernel(
    pool: Pool, trust: TrustSettings, issued: Issued
) -> None:
    spun = child(pool, sandboxed.spin, cpu_seconds=1, wall_seconds=600)(b"", trust)
    assert (spun.verdict, spun.reasons) == (Verdict.MALFORMED, OVER_LIMITS)
    assert still_works(pool, trust, issued)


def test_a_slow_worker_is_killed(trust: TrustSettings, issued: Issued) -> None:
    slow = IsolatedAnalyser(Limits(wall_seconds=0.05))(issued.pdf(0), trust)
    assert (slow.verdict, slow.reasons) == (
        Verdict.MALFORMED,
        ["the file took longer than 0 s to analyse and was rejected"],
    )


def test_a_child_past_the_wall_clock_is_killed_and_reaped(
    pool: Pool, trust: TrustSettings, issued: Issued
) -> None:
    slept = child(pool, sandboxed.sleep, wall_seconds=1)(b"", trust)
    assert slept.reasons == ["the file took longer than 1 s to analyse and was rejected"]
    _, alive = psutil.wait_procs(psutil.Process(pool.pid).children(), timeout=30)
    assert not alive  # killed (it would sleep an hour) and reaped by the zygote
    assert still_works(pool, trust, issued)


def test_a_child_cannot_write_a_file(pool: Pool, trust: TrustSettings, tmp_path: Path) -> None:
    target = tmp_path / "escaped"
    wrote = child(pool, sandboxed.write)(str(target).encode(), trust)
    assert wrote.reasons == OVER_LIMITS
    assert not target.exists() or target.read_bytes() == b""


def test_a_crash_or_garbage_is_malformed(pool: Pool, trust: TrustSettings, issued: Issued) -> None:
    crashed, garbage = child(pool, sandboxed.crash)(b"", trust), child(pool, sandboxed.garbage)(b"", trust)
    assert (crashed.verdict, crashed.reasons) == (Verdict.MALFORMED, OVER_LIMITS)
    assert (garbage.verdict, garbage.reasons) == (Verdict.MALFORMED, ["the file could not be analysed"])
    assert still_works(pool, trust, issued)


def test_a_zygote_killed_from_outside_is_replaced(pool: Pool, trust: TrustSettings, issued: Issued) -> None:
    pool.start()
    killed = pool.pid
    assert killed is not None
    os.kill(killed, signal.SIGKILL)
    assert still_works(pool, trust, issued)
    assert pool.pid not in (None, killed)


def test_uploads_at_once_all_answer(pool: Pool, trust: TrustSettings, issued: Issued) -> None:
    data, now = issued.pdf(0), dt.datetime.now(dt.UTC)
    analyser = IsolatedAnalyser(pool=pool)
    with ThreadPoolExecutor(4) as threads:
        answers = list(threads.map(lambda _: analyser(data, trust, now), range(6)))
    assert answers == [analyse_pdf(data, trust, now)] * 6


def test_nothing_is_left_behind(pool: Pool, trust: TrustSettings, issued: Issued) -> None:
    still_works(pool, trust, issued)  # the zygote started, the first-use descriptors opened
    before = len(os.listdir("/proc/self/fd"))
    for analyse, limits in (
        (sandboxed.crash, {}),
        (sandboxed.garbage, {}),
        (sandboxed.sleep, {"wall_seconds": 1}),
    ):
        child(pool, analyse, **limits)(b"", trust)
    assert still_works(pool, trust, issued)
    assert len(os.listdir("/proc/self/fd")) == before
    _, alive = psutil.wait_procs(psutil.Process(pool.pid).children(), timeout=30)
    assert not alive


def test_deep_nesting_is_malformed(trust: TrustSettings) -> None:
    bomb = (
        b"%PDF-1.7\n1 0 obj\n"
        + b"[" * 200_000
        + b"]" * 200_000
        + b"\nendobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    assert IsolatedAnalyser()(bomb, trust).verdict is Verdict.MALFORMED
