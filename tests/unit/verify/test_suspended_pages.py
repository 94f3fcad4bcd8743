"""A suspended certificate on every public channel: the scan page, the JSON API and the upload
report say 暂停使用（调查中） while it is suspended, and valid again once it is reinstated."""

import datetime as dt
import hashlib
import io
from collections.abc import Iterator

import pytest
from apiflask import APIFlask
from flask import Flask
from flask.testing import FlaskClient

from registry import lifecycle
from registry.audit import Actor
from registry.db import Registry
from signing.trust import TrustSettings
from tests.unit.verify.test_pages import DOMAIN, UPLOAD, fake_analyser, record, text_of
from verify.certificates import lookup_token
from verify.statement import Statement
from verify.web import VerifyServices, limits, mount
from verify.wording import Case

TOKEN = "S" * 32
NUMBER = "CQZC2026000420"
AUTHORITY = Actor("authority-1", "approval-authority")
AT = dt.datetime(2026, 5, 6, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    found = Registry(f"sqlite:///{tmp_path_factory.mktemp('suspended') / 'registry.sqlite3'}")
    found.migrate()
    with found.transaction() as ledger:
        ledger.certificates.add(record(TOKEN, NUMBER, sha256=hashlib.sha256(UPLOAD).hexdigest()))
    yield found
    found.dispose()


@pytest.fixture
def client(registry: Registry) -> FlaskClient:
    app: Flask = APIFlask(__name__, docs_path=None)
    services = VerifyServices(TrustSettings(anchors=()), registry, DOMAIN, analyser=fake_analyser)
    mount(app, services)
    limits.install(app, services.limits)
    return app.test_client()


def upload(client: FlaskClient, lang: str = "zh") -> str:
    page = client.post(
        f"/verify?lang={lang}",
        data={"file": (io.BytesIO(UPLOAD), "c.pdf")},
        content_type="multipart/form-data",
    )
    return text_of(page.text)


def api_report(client: FlaskClient) -> dict[str, object]:
    answer = client.post(
        "/api/v1/verify", data={"file": (io.BytesIO(UPLOAD), "c.pdf")}, content_type="multipart/form-data"
    )
    doc: dict[str, object] = answer.get_json()
    return doc


def test_suspended_then_reinstated_on_every_channel(registry: Registry, client: FlaskClient) -> None:
    with registry.transaction() as ledger:
        lifecycle.suspend(ledger, NUMBER, reason="举报调查中", at=AT, actor=AUTHORITY)

    scan = text_of(client.get(f"/v/{TOKEN}").text)
    assert "暂停使用（调查中） 该证书因调查暂停使用" in scan
    assert "暂停日期 2026-05-06 暂停原因 举报调查中" in scan and "当前有效" not in scan
    english = client.get(f"/v/{TOKEN}?lang=en").text
    assert "Suspended (under investigation) This certificate is suspended" in text_of(english)
    assert "Suspended on 2026-05-06 Reason for suspension 举报调查中" in text_of(english)
    assert "暂停" not in english  # every word of the suspension is translated
    assert client.get(f"/api/v1/certificates/{TOKEN}").get_json()["status"] == "suspended"

    report = upload(client)
    assert "暂停使用（调查中）" in report and f"证书 {NUMBER} 自 2026-05-06 起暂停使用（调查中）" in report
    assert "这是一份真实、有效的职称证书" not in report
    assert "is suspended (under investigation) since 2026-05-06" in upload(client, "en")
    doc = api_report(client)
    assert (doc["verdict"], doc["status"], doc["outcome"]) == ("invalid", "suspended", "suspended")
    assert "registry.not-suspended" in [f["rule"] for f in doc["findings"]]  # type: ignore[attr-defined]

    with registry.transaction() as ledger:
        lifecycle.reinstate(ledger, NUMBER, reason="调查结束，未发现问题", at=AT, actor=AUTHORITY)

    scan = text_of(client.get(f"/v/{TOKEN}?lang=zh").text)
    assert "该证书已在登记库中登记，当前有效。" in scan and "暂停使用" not in scan
    assert client.get(f"/api/v1/certificates/{TOKEN}").get_json()["status"] == "valid"
    assert "这是一份真实、有效的职称证书" in upload(client)
    doc = api_report(client)
    assert (doc["verdict"], doc["status"], doc["outcome"]) == ("valid", "valid", "genuine")


def test_a_receipt_of_a_suspended_certificate_says_so(registry: Registry) -> None:
    from titlecert.receipts import receipt_context

    with registry.transaction() as ledger:
        lifecycle.suspend(ledger, NUMBER, reason="举报调查中", at=AT, actor=AUTHORITY)
    view = lookup_token(registry, TOKEN)
    assert view is not None
    statement = Statement.of_lookup(view, at=AT)
    assert statement.outcome is Case.SUSPENDED
    assert statement.outcome_words.en == "Suspended (under investigation)"
    assert "暂停使用（调查中）" in statement.headline.zh and "valid" not in statement.headline.en
    context = receipt_context(statement, "重庆市职称电子证书查验服务", DOMAIN)
    assert "暂停使用（调查中） Suspended (under investigation)" in str(context)
