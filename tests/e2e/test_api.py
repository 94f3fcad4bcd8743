"""/api/v1 over HTTP against `titlecert serve`: the OpenAPI document, the match check, errors and
headers."""

import re

import requests
from openapi_spec_validator import OpenAPIV31SpecValidator
from sqlalchemy import update

from registry.db import Registry
from registry.models import CertificateRecord
from tests.conftest import Instance, Issued, passed_applicants, token_of
from titlecert.app import create_app
from titlecert.settings import from_env

PROBLEM = "application/problem+json"


def test_openapi_document_is_3_1_valid_and_lists_every_api_route(server: str, instance: Instance) -> None:
    r = requests.get(f"{server}/api/v1/openapi.json", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    spec = r.json()
    assert spec["openapi"].startswith("3.1.")
    OpenAPIV31SpecValidator(spec).validate()
    app = create_app(from_env(instance.env))
    routes = {
        (re.sub(r"<(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        # the staff API (/api/v1/admin, in the README) is not part of the public document
        if rule.rule.startswith("/api/v1/")
        and rule.rule != "/api/v1/openapi.json"
        and not rule.rule.startswith("/api/v1/admin/")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    documented = {
        (path, method.upper()) for path, operations in spec["paths"].items() for method in operations
    }
    assert (
        routes
        == documented
        == {
            ("/api/v1/certificates/{token}", "GET"),
            ("/api/v1/certificates/{token}/match", "POST"),
            ("/api/v1/verify", "POST"),
            ("/api/v1/holder/{secret}", "GET"),
            ("/api/v1/shares/{token}", "GET"),
            ("/api/v1/committees", "GET"),
            ("/api/v1/legacy/{certificate_no}/match", "POST"),
        }
    )
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            assert "429" in statuses and "200" in statuses, (method, path)
            if "{token}" in path:
                assert "404" in statuses, (method, path)
            if method == "post":
                assert "415" in statuses, (method, path)
            for status, response in operation["responses"].items():
                media = set(response.get("content", {}))
                assert media == ({"application/json"} if status == "200" else {PROBLEM}), (
                    method,
                    path,
                    status,
                )
    upload = spec["paths"]["/api/v1/verify"]["post"]["responses"]
    assert "413" in upload and "Retry-After" in upload["429"]["headers"]
    assert set(spec["components"]["schemas"]["Problem"]["required"]) == {"title", "status", "detail"}


def match(server: str, token: str, body: object, **kwargs: object) -> requests.Response:
    return requests.post(f"{server}/api/v1/certificates/{token}/match", json=body, timeout=10, **kwargs)  # type: ignore[arg-type]


def test_match_check_answers_yes_or_no_and_never_the_value(server: str, issued: Issued) -> None:
    holders = passed_applicants()
    index = next(i for i, a in enumerate(holders) if a["id_number"].endswith("X"))  # 何华
    holder, other = holders[index], holders[0]
    name, number = holder["name"], holder["id_number"]
    spaced = f"{number[:6]} {number[6:14]} {number[14:].lower()}"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # typed with a Chinese input method
    cases = [
        ({"name": name}, True),
        ({"name": f" {name[0]} {name[1:]} "}, True),
        ({"name": name[:-1] + "某"}, False),
        ({"name": other["name"]}, False),
        ({"id_number": number}, True),
        ({"id_number": spaced}, True),
        ({"id_number": full_width}, True),
        ({"id_number": other["id_number"]}, False),
        ({"name": name, "id_number": number}, True),
        ({"name": name, "id_number": other["id_number"]}, False),
        ({"name": other["name"], "id_number": number}, False),
    ]
    token = token_of(issued, index)
    for body, expected in cases:
        r = match(server, token, body)
        assert (r.status_code, r.json()) == (200, {"match": expected}), body
        assert r.headers["Content-Type"] == "application/json"
        for secret in (name, number, number[6:14], other["id_number"]):
            assert secret not in r.text


def test_match_check_errors_are_problems(server: str, issued: Issued) -> None:
    token = token_of(issued, 0)
    unknown = match(server, "A" * 32, {"name": "张三"})
    malformed = match(server, "not-a-token", {"name": "张三"})
    lookup = requests.get(f"{server}/api/v1/certificates/{'A' * 32}", timeout=10)
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.content == malformed.content == lookup.content
    for body in ({}, {"name": ""}, {"name": 3}, {"name": "张三", "birth": "1980"}, ["张三"]):
        r = match(server, token, body)
        assert r.status_code == 400 and r.headers["Content-Type"] == PROBLEM, body
        assert r.json()["status"] == 400 and r.json()["errors"], body
    r = requests.post(
        f"{server}/api/v1/certificates/{token}/match",
        data="name=张三".encode(),
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (r.status_code, r.headers["Content-Type"], r.json()["title"]) == (
        415,
        PROBLEM,
        "Unsupported Media Type",
    )
    r = requests.post(f"{server}/api/v1/verify", json={"file": "x"}, timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (415, PROBLEM)
    r = requests.put(f"{server}/api/v1/certificates/{token}/match", timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (405, PROBLEM)


def test_match_by_id_on_a_certificate_without_the_hash_is_a_clear_409(
    server: str, instance: Instance, issued: Issued
) -> None:
    """Certificates issued before holder ID hashes were kept: the name check still answers."""
    index = 3
    holder, number = passed_applicants()[index], issued.documents[index]["certificate_no"]
    registry = Registry(from_env(instance.env).database_url)
    try:
        with registry.transaction() as ledger:
            kept = ledger.certificates.by_number(number)
            assert kept is not None and kept.holder_id_hmac
            stored = kept.holder_id_hmac
            ledger.session.execute(
                update(CertificateRecord)
                .where(CertificateRecord.certificate_no == number)
                .values(holder_id_hmac=None)
            )
        r = match(server, token_of(issued, index), {"id_number": holder["id_number"]})
        assert (r.status_code, r.headers["Content-Type"]) == (409, PROBLEM)
        assert "not available for this certificate" in r.json()["detail"]
        both = match(
            server, token_of(issued, index), {"name": holder["name"], "id_number": holder["id_number"]}
        )
        assert both.status_code == 409
        assert match(server, token_of(issued, index), {"name": holder["name"]}).json() == {"match": True}
    finally:
        with registry.transaction() as ledger:
            ledger.session.execute(
                update(CertificateRecord)
                .where(CertificateRecord.certificate_no == number)
                .values(holder_id_hmac=stored)
            )
        registry.dispose()
    assert match(server, token_of(issued, index), {"id_number": holder["id_number"]}).json() == {
        "match": True
    }


def test_security_and_rate_limit_headers_on_every_api_response(server: str, issued: Issued) -> None:
    token = token_of(issued, 0)
    responses = [
        requests.get(f"{server}/api/v1/openapi.json", timeout=10),
        requests.get(f"{server}/api/v1/certificates/{token}", timeout=10),
        requests.get(f"{server}/api/v1/certificates/{'A' * 32}", timeout=10),
        match(server, token, {"name": "张三"}),
        match(server, token, {}),
        requests.get(f"{server}/api/v1/nothing-here", timeout=10),
        requests.get(f"{server}/v/{token}", timeout=10),
    ]
    for r in responses:
        assert r.headers["Cache-Control"] == "no-store", r.url
        assert r.headers["Referrer-Policy"] == "no-referrer", r.url
        assert "default-src 'none'" in r.headers["Content-Security-Policy"], r.url
        assert "Strict-Transport-Security" not in r.headers, r.url  # plain HTTP, no trusted proxy
    for r in responses[1:5] + responses[6:]:
        assert int(r.headers["X-RateLimit-Limit"]) > 0 and "X-RateLimit-Remaining" in r.headers, r.url
        assert int(r.headers["X-RateLimit-Reset"]) > 0 and "Retry-After" not in r.headers, r.url
    spoofed = requests.get(f"{server}/v/{token}", headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert "Strict-Transport-Security" not in spoofed.headers
