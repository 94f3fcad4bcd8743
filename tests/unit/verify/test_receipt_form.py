"""The receipt download form on the scan page, through Flask's test client with a stand-in maker:
the receipt states what the page said, a forged or stale form makes nothing, the limits and the
CSRF guard apply, and a site without the verification service's key offers no receipts."""

import datetime as dt
import re
from collections.abc import Iterator
from itertools import count

import pytest
from apiflask import APIFlask
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from registry.db import Registry
from signing.trust import TrustSettings
from tests.records import certificate_record
from verify.certificates import lookup_token
from verify.errors import ReceiptUnavailable
from verify.ratelimits import RateLimits
from verify.statement import Statement, Via
from verify.web import VerifyServices, limits, mount, receipts
from verify.wording import Case

TOKEN = "RCPTGHIJKLMNOPQRSTUVWXYZ234567AB"
NUMBER = "CQZC2026000170"
APPROVAL = "渝职改办〔2026〕170号"
_addresses = count(1)


class Maker:
    """Stands in for titlecert.receipts: notes each statement, answers a PDF (or fails when told)."""

    def __init__(self) -> None:
        self.made: list[Statement] = []
        self.fail = False

    def __call__(self, statement: Statement) -> bytes:
        if self.fail:
            raise ReceiptUnavailable("the time-stamping authority does not answer")
        self.made.append(statement)
        return b"%PDF-1.7 receipt " + statement.number.encode()


def make_app(registry: Registry, maker: Maker | None, receipt_limit: str = "20/minute") -> Flask:
    flask_app = APIFlask(__name__, docs_path=None)
    services = VerifyServices(
        TrustSettings(anchors=()),
        registry,
        "verify.example.test",
        limits=RateLimits(receipt=receipt_limit),
        session_secret=b"s" * 32,
        receipts=maker,
    )
    mount(flask_app, services)
    limits.install(flask_app, services.limits)
    return flask_app


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    registry = Registry(f"sqlite:///{tmp_path_factory.mktemp('receipts') / 'registry.sqlite3'}")
    registry.migrate()
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate_record(NUMBER, token=TOKEN, approval_no=APPROVAL))
    yield registry
    registry.dispose()


@pytest.fixture
def maker() -> Maker:
    return Maker()


@pytest.fixture
def client(registry: Registry, maker: Maker) -> Iterator[FlaskClient]:
    app = make_app(registry, maker)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(_addresses)}"
    yield client
    limits.close(app)


def form_of(client: FlaskClient) -> dict[str, str]:
    page = client.get(f"/v/{TOKEN}").text
    fields = dict(
        re.findall(r'name="(csrf_token|statement)" value="([^"]+)"', page.split('id="receipt-form"')[1])
    )
    assert set(fields) == {"csrf_token", "statement"}, "the scan page has no receipt form"
    return fields


def test_the_receipt_states_what_the_scan_page_said(client: FlaskClient, maker: Maker) -> None:
    response = client.post("/receipt", data=form_of(client))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    [statement] = maker.made
    assert response.headers["Content-Disposition"] == f'attachment; filename="receipt-{statement.number}.pdf"'
    assert re.fullmatch(r"YZ\d{8}-[2-9A-HJ-NP-Z]{8}", statement.number)
    assert statement.via is Via.SCAN and statement.outcome is Case.GENUINE
    assert statement.certificate is not None and statement.certificate.certificate_no == NUMBER
    assert NUMBER in statement.headline.zh and NUMBER in statement.headline.en


def test_a_forged_or_stale_form_makes_no_receipt(
    client: FlaskClient, maker: Maker, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = form_of(client)
    # A statement signed with any other key: what a visitor would post to have a receipt say "valid".
    forged = URLSafeTimedSerializer(b"x" * 32, salt=receipts.SALT).dumps({"number": "YZ20260101-AAAAAAAA"})
    for statement in (forged, form["statement"][:-2] + "AA", ""):
        assert client.post("/receipt", data={**form, "statement": statement}).status_code == 400
    monkeypatch.setattr(receipts, "MAX_AGE_SECONDS", -1)  # every form is older than that
    assert client.post("/receipt", data=form).status_code == 400
    assert maker.made == []


def test_the_form_is_guarded_and_limited(registry: Registry, maker: Maker) -> None:
    app = make_app(registry, maker, receipt_limit="3/minute")
    client = app.test_client()
    form = form_of(client)
    assert client.post("/receipt", data={"statement": form["statement"]}).status_code == 400  # no CSRF token
    codes = [client.post("/receipt", data=form).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(maker.made) == 3
    limits.close(app)


def test_a_receipt_that_cannot_be_made_is_a_503(client: FlaskClient, maker: Maker) -> None:
    maker.fail = True
    response = client.post("/receipt", data=form_of(client))
    assert response.status_code == 503 and "请稍后再试" in response.text


def test_without_the_verification_service_key_no_receipt_is_offered(registry: Registry) -> None:
    app = make_app(registry, None)
    client = app.test_client()
    page = client.get(f"/v/{TOKEN}").text
    assert NUMBER in page and 'id="receipt-form"' not in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    assert client.post("/receipt", data={"csrf_token": csrf.group(1), "statement": "x"}).status_code == 404
    limits.close(app)


def test_a_scan_page_signs_only_what_rebuilds_its_statement(registry: Registry, maker: Maker) -> None:
    """The form carries no certificate data, yet the receipt states the page's statement exactly."""
    token, number = "RCPTCOMPACTKLMNOPQRSTUVWXYZ23456", "CQZC2026000374"
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate_record(number, token=token, approval_no="渝职改办〔2026〕374号"))
    app = make_app(registry, maker)
    client = app.test_client()
    form = form_of_token(client, token)
    assert len(form["statement"]) < 200 and "张" not in form["statement"]
    assert client.post("/receipt", data=form).status_code == 200
    [statement] = maker.made
    view = lookup_token(registry, token)
    assert view is not None
    assert statement == Statement.of_lookup(view, at=statement.verified_at, number=statement.number)
    limits.close(app)


def test_a_scan_page_from_before_a_revocation_makes_no_receipt_after_it(
    registry: Registry, maker: Maker
) -> None:
    """A receipt never states what the page did not: once the registry has changed, verify again."""
    token, number = "RCPTSTALEJKLMNOPQRSTUVWXYZ234567", "CQZC2026000375"
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate_record(number, token=token, approval_no="渝职改办〔2026〕375号"))
    app = make_app(registry, maker)
    client = app.test_client()
    form = form_of_token(client, token)
    with registry.transaction() as ledger:
        ledger.certificates.revoke(number, reason="评审终止", at=dt.datetime.now(dt.UTC))
    assert client.post("/receipt", data=form).status_code == 400
    assert maker.made == []
    fresh = form_of_token(client, token)
    assert client.post("/receipt", data=fresh).status_code == 200
    assert [s.outcome for s in maker.made] == [Case.REVOKED]
    limits.close(app)


def form_of_token(client: FlaskClient, token: str) -> dict[str, str]:
    form = client.get(f"/v/{token}").text.split('id="receipt-form"')[1]
    return dict(re.findall(r'name="(csrf_token|statement)" value="([^"]+)"', form))
