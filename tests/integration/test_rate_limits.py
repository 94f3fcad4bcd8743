"""Request limits, on apps of their own (small limits, short windows) over the shared instance:
counters in memory and in the Redis server at TEST_REDIS_URL (default 127.0.0.1:6379),
each test under a key prefix of its own."""

import io
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.conftest import REDIS_URL, Instance, Issued, passed_applicants, token_of
from titlecert.app import create_app
from titlecert.settings import from_env
from verify.web import EXTENSION, limits

WINDOW = 3
"""Seconds: short enough to wait for, long enough for a few requests on a busy machine."""


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The environment that puts the counters in memory, or in Redis under a fresh prefix."""
    if request.param == "memory":
        yield {}
        return
    prefix = f"titlecert-test-{secrets.token_hex(4)}"
    with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
        try:
            client.ping()
        except redis.exceptions.ConnectionError as e:
            pytest.skip(f"Redis not reachable at {REDIS_URL}: {e}")
        try:
            yield {"TITLECERT_REDIS_URL": REDIS_URL, "TITLECERT_RATE_LIMIT_PREFIX": prefix}
        finally:
            for key in client.scan_iter(match=f"*{prefix}*"):
                client.delete(key)


@contextmanager
def site(instance: Instance, **env: str) -> Iterator[FlaskClient]:
    """A test client of an app over the shared instance, with `env` over its environment."""
    app = create_app(from_env({**instance.env, **env}))
    try:
        yield app.test_client()
    finally:
        limits.close(app)
        app.extensions[EXTENSION].registry.dispose()


def wait_for_reset(response: TestResponse) -> None:
    time.sleep(max(0.0, int(response.headers["X-RateLimit-Reset"]) - time.time()) + 0.3)


def redis_keys(prefix: str) -> list[bytes]:
    with redis.Redis.from_url(REDIS_URL) as client:
        return list(client.scan_iter(match=f"*{prefix}*"))


def test_match_limit_is_hit_and_recovers(
    instance: Instance, issued: Issued, storage: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    holder = passed_applicants()[0]
    url = f"/api/v1/certificates/{token_of(issued, 0)}/match"
    with site(instance, TITLECERT_RATE_LIMIT_MATCH=f"3 per {WINDOW} seconds", **storage) as client:
        remaining = []
        for _ in range(3):
            r = client.post(url, json={"id_number": holder["id_number"]})
            assert (r.status_code, r.json) == (200, {"match": True})
            assert r.headers["X-RateLimit-Limit"] == "3" and "Retry-After" not in r.headers
            remaining.append(r.headers["X-RateLimit-Remaining"])
        assert remaining == ["2", "1", "0"]
        limited = client.post(url, json={"id_number": holder["id_number"]})
        assert limited.status_code == 429 and limited.headers["Content-Type"] == "application/problem+json"
        assert (
            limited.json is not None
            and limited.json["status"] == 429
            and "Retry-After" in limited.json["detail"]
        )
        assert 0 <= int(limited.headers["Retry-After"]) <= WINDOW
        assert limited.headers["X-RateLimit-Remaining"] == "0"
        assert limited.headers["Cache-Control"] == "no-store"
        if storage:  # the counters really are in Redis, not in the in-memory fallback
            assert redis_keys(storage["TITLECERT_RATE_LIMIT_PREFIX"])
        wait_for_reset(limited)
        again = client.post(url, json={"name": holder["name"]})
        assert (again.status_code, again.json) == (200, {"match": True})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "verify.web.access" in {record.name for record in caplog.records}
    assert holder["id_number"] not in text and token_of(issued, 0) not in text


def test_lookups_share_one_limit_and_pages_get_a_chinese_429(
    instance: Instance, issued: Issued, storage: dict[str, str]
) -> None:
    token = token_of(issued, 0)
    with site(instance, TITLECERT_RATE_LIMIT_LOOKUP=f"2 per {WINDOW} seconds", **storage) as client:
        assert client.get(f"/v/{token}").status_code == 200
        assert client.get(f"/api/v1/certificates/{token}").status_code == 200
        page = client.get(f"/v/{token}")
        assert page.status_code == 429 and page.mimetype == "text/html"
        assert "请求过于频繁" in page.text and "秒后再试" in page.text and "<script" not in page.text
        assert int(page.headers["Retry-After"]) <= WINDOW
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        api = client.get(f"/api/v1/certificates/{'A' * 32}")  # unknown tokens count too
        assert api.status_code == 429 and api.mimetype == "application/problem+json"
        wait_for_reset(api)
        assert client.get(f"/api/v1/certificates/{token}").status_code == 200


def test_every_limited_page_is_limited_whichever_feature_mounts_it(
    instance: Instance, storage: dict[str, str]
) -> None:
    """The holder page and the clerk sign-in draw on the lookup limit like the scan page: the limits
    are applied after every feature is mounted."""
    with site(instance, TITLECERT_RATE_LIMIT_LOOKUP="2 per 60 seconds", **storage) as client:
        assert client.get(f"/h/{'x' * 43}").status_code == 404
        assert client.get("/clerk/login").status_code == 200
        assert client.get(f"/h/{'y' * 43}").status_code == 429
        assert client.get("/clerk/login").status_code == 429


def test_uploads_are_limited_before_they_are_parsed(instance: Instance, storage: dict[str, str]) -> None:
    with site(instance, TITLECERT_RATE_LIMIT_UPLOAD="1 per 60 seconds", **storage) as client:
        first = client.post("/api/v1/verify", data={"file": (io.BytesIO(b"not a pdf"), "a.pdf")})
        assert first.status_code == 200 and first.json is not None and first.json["verdict"] == "malformed"
        api = client.post("/api/v1/verify", data={"file": (io.BytesIO(b"not a pdf"), "a.pdf")})
        assert api.status_code == 429 and api.mimetype == "application/problem+json"
        form = client.post(
            "/verify", data={"file": (io.BytesIO(b"not a pdf"), "a.pdf")}
        )  # the page's form shares it
        assert form.status_code == 429 and "请求过于频繁" in form.text


def test_match_checks_are_limited_per_certificate_across_clients(
    instance: Instance, issued: Issued, storage: dict[str, str]
) -> None:
    """Behind one trusted proxy, each request from another address: only the per-certificate
    limit stops a guesser who shares out the guesses."""
    env = {"TITLECERT_TRUSTED_PROXIES": "1", "TITLECERT_RATE_LIMIT_MATCH_CERTIFICATE": "2 per 60 seconds"}
    with site(instance, **env, **storage) as client:

        def match(index: int, address: str) -> TestResponse:
            url = f"/api/v1/certificates/{token_of(issued, index)}/match"
            return client.post(url, json={"name": "张三"}, headers={"X-Forwarded-For": address})

        assert [match(0, f"203.0.113.{i}").status_code for i in range(1, 4)] == [200, 200, 429]
        assert match(2, "203.0.113.9").status_code == 200  # another certificate is not affected


def test_forwarded_headers_count_only_from_trusted_proxies(
    instance: Instance, storage: dict[str, str]
) -> None:
    lookup = f"/api/v1/certificates/{'A' * 32}"
    spoofed = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    limit = {"TITLECERT_RATE_LIMIT_LOOKUP": "1 per 60 seconds"}
    with site(instance, **limit, **storage) as client:  # nobody trusted: the connection's address
        assert client.get(lookup, headers=spoofed).status_code == 404
        r = client.get(lookup, headers={**spoofed, "X-Forwarded-For": "198.51.100.8"})
        assert r.status_code == 429 and "Strict-Transport-Security" not in r.headers
    with site(instance, TITLECERT_TRUSTED_PROXIES="1", **limit, **storage) as client:
        r = client.get(lookup, headers=spoofed)
        assert r.status_code == 404 and r.headers["Strict-Transport-Security"].startswith("max-age=")
        other = client.get(lookup, headers={"X-Forwarded-For": "198.51.100.8"})
        assert other.status_code == 404 and "Strict-Transport-Security" not in other.headers
        ipv6 = [client.get(lookup, headers={"X-Forwarded-For": f"2001:db8::{i}"}).status_code for i in (1, 2)]
        assert ipv6 == [404, 429]  # one /64, one client
