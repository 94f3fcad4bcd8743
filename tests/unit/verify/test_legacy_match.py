"""Titles awarded on paper, checked on the verify site (/legacy) and the API by number with the
holder's full name or ID number: yes with the title as registered (holder masked, labelled as from
paper records), or one plain no that reveals nothing, limited like the match check."""

import datetime as dt
import re
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from apiflask import APIFlask
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import OpenAPIV31SpecValidator
from werkzeug.test import TestResponse

from registry.audit import Actor
from registry.db import Registry
from signing.trust import TrustSettings
from tests.legacy_files import ROWS, id_number, write_csv
from titlecert.legacy import import_legacy
from verify.ratelimits import RateLimits
from verify.web import VerifyServices, limits, mount

KEY = b"k" * 32
NUMBER, NAME, ID = "CQ-2008-0430", "张晓明", id_number(430)
LIMITS = RateLimits(lookup="50/minute", match="5/minute", match_per_certificate="12/day")
PAPER_EN = "Registered from paper records; no electronic document exists"
_addresses = count(1)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("legacy")
    registry = Registry(f"sqlite:///{folder / 'registry.sqlite3'}")
    registry.migrate()
    with registry.transaction() as ledger:
        import_legacy(
            ledger,
            write_csv(Path(folder) / "paper.csv", ROWS),
            secret=KEY,
            actor=Actor("t", "cli"),
            at=dt.datetime.now(dt.UTC),
        )
    flask_app = APIFlask(__name__, docs_path=None)
    services = VerifyServices(
        TrustSettings(anchors=()), registry, "verify.example.test", id_key=KEY, limits=LIMITS
    )
    mount(flask_app, services)
    limits.install(flask_app, services.limits)
    yield flask_app
    limits.close(flask_app)
    registry.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses)}"
    return client


def form(client: FlaskClient, query: str = "", **fields: str) -> TestResponse:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/legacy").text)
    assert found
    return client.post(f"/legacy{query}", data={**fields, "csrf_token": found.group(1)})


def result_of(html: str) -> str:
    found = re.search(r'id="match-result".*?</section>', html, re.S)
    assert found, "no match result on the page"
    return found.group(0)


def api(client: FlaskClient, number: str, **fields: str) -> TestResponse:
    return client.post(f"/api/v1/legacy/{number}/match", json=fields)


def test_the_home_page_links_to_the_paper_records_form(client: FlaskClient) -> None:
    page = client.get("/").text
    assert 'id="legacy-link"' in page and 'href="/legacy"' in page


def test_number_and_name_or_id_match_and_show_the_title_masked(client: FlaskClient) -> None:
    for fields in (
        {"name": " 张 晓明"},
        {"id_number": ID.lower()[:6] + " " + ID[6:]},
        {"name": NAME, "id_number": ID},
    ):
        page = form(client, certificate_no="cq 2008 0430", **fields)
        assert page.status_code == 200, fields
        result = result_of(page.text)
        assert "一致" in result and "不一致" not in result and "据纸质档案登记，无电子证书。" in result
        assert (
            "张*明" in page.text and ID[:6] + "********" + ID[-4:] in page.text and "高级工程师" in page.text
        )
        assert "2008-12-20" in page.text and "2009-03-01" in page.text
        assert NAME not in page.text and ID not in page.text
    english = form(client, "?lang=en", certificate_no=NUMBER, name=NAME)
    assert PAPER_EN in english.text


def test_a_wrong_name_an_unknown_number_and_a_wrong_id_all_get_one_plain_no(client: FlaskClient) -> None:
    answers = [
        form(client, certificate_no=NUMBER, name="张小明"),
        form(client, certificate_no="CQ-2008-9999", name=NAME),
        form(client, certificate_no=NUMBER, name=NAME, id_number=id_number(431)),
    ]
    for page in answers:
        assert page.status_code == 200 and "不一致" in result_of(page.text)
        for shown in ("张*明", NAME, "高级工程师", "2008-12-20", ID[-4:]):
            assert shown not in page.text
    assert form(client, certificate_no=NUMBER).status_code == 400  # neither name nor ID
    assert form(client, certificate_no="", name=NAME).status_code == 400


def test_the_api_answers_the_same_and_documents_the_endpoint(client: FlaskClient) -> None:
    yes = api(client, NUMBER, name=NAME)
    assert yes.status_code == 200 and yes.json is not None
    assert yes.json["match"] is True and yes.json["note"].endswith(PAPER_EN)
    title = yes.json["title"]
    assert (title["holder"], title["holder_id"], title["level"], title["source"]) == (
        "张*明",
        ID[:6] + "********" + ID[-4:],
        "副高级",
        "paper",
    )
    assert NAME not in yes.text and ID not in yes.text
    for no in (api(client, NUMBER, name="张小明"), api(client, "CQ-2008-9999", id_number=ID)):
        assert no.status_code == 200 and no.json is not None
        assert no.json["match"] is False and no.json["title"] is None
    assert api(client, NUMBER).status_code == 400
    app = client.application
    assert isinstance(app, APIFlask) and "/api/v1/legacy/{certificate_no}/match" in app.spec["paths"]
    OpenAPIV31SpecValidator(app.spec).validate()


def test_checks_are_limited_per_client_and_per_number(app: Flask) -> None:
    one = app.test_client()
    one.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    statuses = [api(one, "CQ-2011-0431", name="王芳").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    # Each other client asks once, far below its own limit: the number's (12 a day from everyone) stops them.
    others = []
    for n in range(10):
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = f"203.0.113.{20 + n}"
        others.append(api(other, "CQ 2011 0431", name="王芳").status_code)
    assert others[0] == 200 and others[-1] == 429
