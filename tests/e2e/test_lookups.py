"""Lookups against `titlecert serve` with several workers: every verification answered is on the
holder's log once the server has shut down cleanly, although lookups no longer wait for its
write; and a revocation shows on the scan page and the API within a second, on every worker."""

import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from registry.db import Registry
from tests.conftest import GENEROUS_LIMITS, Instance, free_port, running
from tests.records import certificate_record
from titlecert.settings import from_env

LOGGED = ("CQZC2026000371", "LKUPLOGGEDABCDEFGHIJKLMNOPQRSTUV", "渝职改办〔2026〕371号")
REVOKED = ("CQZC2026000372", "LKUPREVOKEDABCDEFGHIJKLMNOPQRSTU", "渝职改办〔2026〕372号")
WORKERS = "3"


@pytest.fixture(scope="module")
def registry(instance: Instance) -> Iterator[Registry]:
    registry = Registry(from_env(instance.env).database_url)
    with registry.transaction() as ledger:
        for number, token, approval in (LOGGED, REVOKED):
            if ledger.certificates.by_number(number) is None:
                ledger.certificates.add(certificate_record(number, token=token, approval_no=approval))
    yield registry
    registry.dispose()


@pytest.fixture(scope="module")
def site(instance: Instance) -> Instance:
    port = free_port()
    env = {**instance.env, **GENEROUS_LIMITS, "TITLECERT_WEB_WORKERS": WORKERS, "TITLECERT_WEB_THREADS": "4"}
    return dataclasses.replace(instance, env=env, public_url=f"http://127.0.0.1:{port}")


def serving(site: Instance, log_name: str) -> "running":  # type: ignore[valid-type]
    port = site.public_url.rsplit(":", 1)[1]
    return running(
        site, ["serve", "--port", port], probe_url=f"{site.public_url}/healthz", log_name=log_name, timeout=60
    )


def logged(registry: Registry, number: str) -> int:
    with registry.transaction() as ledger:
        return ledger.verifications.count(number)


def test_every_lookup_is_on_the_holders_log_after_a_clean_shutdown(
    site: Instance, registry: Registry
) -> None:
    number, token, _ = LOGGED
    before = logged(registry, number)
    urls = [f"{site.public_url}/v/{token}", f"{site.public_url}/api/v1/certificates/{token}"] * 150
    with serving(site, "lookups-log.log"), ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda url: requests.get(url, timeout=30).status_code, urls))
        # The server stops the moment the last answer is in: what its workers still hold queued
        # must be written as they exit.
    assert statuses == [200] * len(urls)
    assert logged(registry, number) - before == len(urls)


def test_a_revocation_shows_within_a_second_on_every_worker(site: Instance, registry: Registry) -> None:
    number, token, _ = REVOKED
    page, api = f"{site.public_url}/v/{token}", f"{site.public_url}/api/v1/certificates/{token}"
    with serving(site, "lookups-revoked.log"), ThreadPoolExecutor(8) as pool:
        # Every worker has looked the certificate up (and would have cached it, if anything did).
        assert {r.json()["status"] for r in pool.map(lambda _: requests.get(api, timeout=10), range(60))} == {
            "valid"
        }
        site.run("revoke", number, "--reason", "评审终止：申报材料弄虚作假")
        revoked_at = time.monotonic()
        answers = list(pool.map(lambda url: requests.get(url, timeout=10), [page, api] * 30))
        within = time.monotonic() - revoked_at
    assert within < 1.0, f"the 60 lookups after the revocation took {within:.2f} s"
    # Every lookup made after the command returned, on whichever worker, already says revoked.
    for answer in answers:
        assert answer.status_code == 200
        if answer.url == api:
            assert (answer.json()["status"], answer.json()["status_reason"]) == (
                "revoked",
                "评审终止：申报材料弄虚作假",
            )
        else:
            assert "已撤销" in answer.text and "评审终止：申报材料弄虚作假" in answer.text
