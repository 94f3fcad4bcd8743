"""Verifying without a camera, through Flask's test client over a throwaway SQLite registry: the
home page's number + verification code and page-code forms, the scan page's match form, their
limits, their CSRF guard and what the holder's log notes."""

import re
from collections.abc import Iterator
from itertools import count

import pytest
from apiflask import APIFlask
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from docgen.identifiers import grouped_token
from registry.db import Registry
from registry.holders import holder_id_hmac
from signing.trust import TrustSettings
from tests.records import certificate_record
from verify.ratelimits import RateLimits
from verify.web import VerifyServices, limits, mount

DOMAIN = "verify.example.test"
KEY = b"k" * 32
TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
NO_ID_HASH = "QRSTUVWXYZ234567ABCDEFGHIJKLMNOP"
NUMBER, OLD_NUMBER = "CQZC2026000150", "CQZC2026000151"
ID_NUMBER = "500103199001010030"
APPROVAL = "渝职改办〔2026〕150号"
LIMITS = RateLimits(lookup="5/minute", match="4/minute", match_per_certificate="6/day")
_addresses = count(1)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    registry = Registry(f"sqlite:///{tmp_path_factory.mktemp('channels') / 'registry.sqlite3'}")
    registry.migrate()
    with registry.transaction() as ledger:
        ledger.certificates.add(
            certificate_record(
                NUMBER, token=TOKEN, approval_no=APPROVAL, holder_id_hmac=holder_id_hmac(KEY, ID_NUMBER)
            )
        )
        ledger.certificates.add(certificate_record(OLD_NUMBER, token=NO_ID_HASH, approval_no=APPROVAL))
    flask_app = APIFlask(__name__, docs_path=None)
    services = VerifyServices(TrustSettings(anchors=()), registry, DOMAIN, id_key=KEY, limits=LIMITS)
    mount(flask_app, services)
    limits.install(flask_app, services.limits)
    yield flask_app
    limits.close(flask_app)
    registry.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client of its own address, so that each test has the limits to itself."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses)}"
    return client


def csrf(client: FlaskClient, path: str = "/") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, f"{path} has no form token"
    return found.group(1)


def by_code(client: FlaskClient, number: str, code: str) -> TestResponse:
    return client.post("/code", data={"certificate_no": number, "code": code, "csrf_token": csrf(client)})


def channels_noted(app: Flask, number: str) -> list[str]:
    services: VerifyServices = app.extensions["titlecert.verify"]
    with services.registry.transaction() as ledger:
        return [v.channel for v in ledger.verifications.of([number], limit=100)]


def test_the_number_and_the_code_as_typed_lead_to_the_scan_page(app: Flask, client: FlaskClient) -> None:
    before = channels_noted(app, NUMBER)
    for number, code in (
        (NUMBER, grouped_token(TOKEN)),
        (" cqzc2026000150", "abcd efgh ijkl mnop qrst uvwx yz23 4567"),
    ):
        r = client.post("/code", data={"certificate_no": number, "code": code, "csrf_token": csrf(client)})
        assert r.status_code == 303 and r.headers["Location"] == f"/v/{TOKEN}?via=code"
    page = client.get(f"/v/{TOKEN}?via=code")
    assert page.status_code == 200 and NUMBER in page.text
    after = channels_noted(app, NUMBER)  # newest first
    assert after[: len(after) - len(before)] == ["code"], "noted once, as typed"


def test_a_wrong_number_an_unknown_code_and_a_malformed_one_get_the_same_answer(client: FlaskClient) -> None:
    answers = [
        by_code(client, OLD_NUMBER, grouped_token(TOKEN)),  # a good code, another certificate's number
        by_code(client, NUMBER, grouped_token("Z" * 32)),  # unknown code
        by_code(client, NUMBER, "not a code"),  # malformed
    ]
    assert {a.status_code for a in answers} == {404}
    bodies = {re.sub(r'name="csrf_token" value="[^"]+"', "", a.text) for a in answers}
    assert len(bodies) == 1, "the answers differ: they would say which of the two was wrong"
    [body] = bodies
    assert "未找到与此证书编号和在线验证码相符的证书" in body and TOKEN not in body


def test_code_lookups_count_against_the_lookup_limit(client: FlaskClient) -> None:
    statuses = [by_code(client, NUMBER, "Z" * 32).status_code for _ in range(6)]
    assert statuses == [404] * 5 + [429]


def test_a_page_code_as_typed_leads_to_its_page_or_is_refused_here(client: FlaskClient) -> None:
    token = csrf(client)
    r = client.post("/page-code", data={"page_code": "ps2026000001 p03 k", "csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"] == "/p/PS2026000001-P03-K"  # checked there
    refused = client.post("/page-code", data={"page_code": "../../etc", "csrf_token": token})
    assert refused.status_code == 404 and "这不是有效的页码编号" in refused.text


def match(client: FlaskClient, token: str, **fields: str) -> TestResponse:
    return client.post(f"/v/{token}/match", data={**fields, "csrf_token": csrf(client)})


def result_of(html: str) -> str:
    """The match form's answer, as a reader sees it."""
    found = re.search(r'id="match-result".*?</section>', html, re.S)
    assert found, "no answer on the page"
    return re.sub(r"<[^>]+>", " ", found.group())


def test_the_scan_pages_match_form_answers_yes_or_no_never_the_value(app: Flask, client: FlaskClient) -> None:
    page = client.get(f"/v/{TOKEN}")
    assert 'id="match-form"' in page.text and 'method="post"' in page.text and "<script" not in page.text
    yes = match(client, TOKEN, name="张 晓明", id_number=ID_NUMBER)
    no = match(client, TOKEN, name="张小明")
    assert yes.status_code == 200 and no.status_code == 200
    assert "一致" in result_of(yes.text) and "不一致" not in result_of(yes.text)
    assert "不一致" in result_of(no.text)
    assert ID_NUMBER not in yes.text and "张晓明" not in no.text
    assert channels_noted(app, NUMBER).count("match") >= 2
    english = client.post(f"/v/{TOKEN}/match?lang=en", data={"name": "张小明", "csrf_token": csrf(client)})
    assert "No match" in result_of(english.text)


def test_the_match_form_refuses_nothing_given_and_says_when_ids_cannot_be_checked(
    client: FlaskClient,
) -> None:
    empty = match(client, TOKEN, name=" ", id_number="")
    assert empty.status_code == 400 and "请填写完整姓名或完整证件号码" in empty.text
    unavailable = match(client, NO_ID_HASH, id_number=ID_NUMBER)
    assert unavailable.status_code == 409
    assert "无法核对证件号码" in unavailable.text
    assert match(client, "Z" * 32, name="张晓明").status_code == 404


def test_match_forms_and_the_api_share_one_limit_per_client(client: FlaskClient) -> None:
    token = csrf(client, f"/v/{NO_ID_HASH}")
    answers = [
        client.post(f"/v/{NO_ID_HASH}/match", data={"name": "李四", "csrf_token": token}) for _ in range(3)
    ]
    api = client.post(f"/api/v1/certificates/{NO_ID_HASH}/match", json={"name": "李四"})
    last = client.post(f"/v/{NO_ID_HASH}/match", data={"name": "李四", "csrf_token": token})
    assert [a.status_code for a in answers] == [200] * 3 and api.status_code == 200
    assert last.status_code == 429 and "请求过于频繁" in last.text


def test_forms_without_the_pages_token_or_from_another_site_are_refused(client: FlaskClient) -> None:
    fields = {"certificate_no": NUMBER, "code": TOKEN}
    assert client.post("/code", data=fields).status_code == 400
    assert client.post("/code", data={**fields, "csrf_token": "forged"}).status_code == 400
    token = csrf(client)
    cross = client.post(
        "/code", data={**fields, "csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    elsewhere = client.post(
        "/code", data={**fields, "csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 400 and elsewhere.status_code == 400 and "页面可能已过期" in cross.text
    assert client.post(f"/v/{TOKEN}/match", data={"name": "张晓明"}).status_code == 400
    here = client.post(
        "/code",
        data={**fields, "csrf_token": token},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "null"},
    )
    assert here.status_code == 303
