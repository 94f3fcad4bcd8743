"""Holder control on the site (docs/holder-control.md): share links made from the holder's page,
opened, each opening in the holder's log with its purpose, withdrawn or expired (then answering
exactly as an unknown QR token), the holder's link replaced (audited), the certificate downloaded.
On SQLite and, when reachable, PostgreSQL (TEST_POSTGRES_URL)."""

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from apiflask import APIFlask
from flask.testing import FlaskClient

from registry.audit import AuditAction
from registry.chinatime import china_today
from registry.db import Registry
from signing.trust import TrustSettings
from tests.integration.test_lifecycle_and_audit import certificate, token_of
from verify.errors import ReceiptUnavailable
from verify.shares import DAYS_MAX, ShareProblem, ShareState, expiry, make_share, share_view
from verify.transparency import holder_view
from verify.web import VerifyServices, limits, mount

NUMBER = "CQZC2026000500"
SECRET = "h" * 8 + "S" * 24  # a holder secret's shape: 32 URL-safe characters
STORED = {NUMBER: b"%PDF-1.7 the certificate as issued"}
UNKNOWN_QR = "A" * 32
PURPOSE = "仅供XX单位招聘使用"


@pytest.fixture
def client(registry: Registry) -> Iterator[FlaskClient]:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate(NUMBER, secret=SECRET))
    app = APIFlask(__name__, docs_path=None)
    services = VerifyServices(
        TrustSettings(anchors=()), registry, "verify.example", certificate_pdf=STORED.__getitem__
    )
    mount(app, services)
    limits.install(app, services.limits)
    yield app.test_client()


def text_of(page: str) -> str:
    """What a reader sees: the page without its tags."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def made_link(client: FlaskClient, purpose: str = PURPOSE, days: str = "30") -> str:
    r = client.post(f"/h/{SECRET}/shares", data={"purpose": purpose, "days": days})
    assert r.status_code == 200, r.text
    found = re.search(r'id="share-made".*?href="http://localhost(/s/[A-Za-z0-9_-]{36})"', r.text, re.S)
    assert found, r.text
    return found[1]


def unknown_answer(client: FlaskClient) -> bytes:
    r = client.get(f"/v/{UNKNOWN_QR}")
    assert r.status_code == 404
    return r.data


def test_a_share_link_shows_the_certificate_with_the_annotation(client: FlaskClient) -> None:
    link = made_link(client)
    page = client.get(link)
    assert page.status_code == 200
    seen = text_of(page.text)
    until = china_today() + dt.timedelta(days=30)
    assert f"持证人加注：仅供XX单位招聘使用，有效期至{until.year}年{until.month}月{until.day}日" in seen
    assert NUMBER in seen and "张*明" in seen and "该证书已在登记库中登记，当前有效" in seen
    english = client.get(link, headers={"Accept-Language": "en"})
    assert f"Holder's note: 仅供XX单位招聘使用; valid until {until.isoformat()}" in text_of(english.text)
    api = client.get("/api/v1/shares/" + link.rsplit("/", 1)[1])
    assert api.status_code == 200
    body = api.get_json()
    assert body["purpose"] == PURPOSE and body["certificate"]["certificate_no"] == NUMBER
    assert body["annotation"]["zh"].startswith("持证人加注：仅供XX单位招聘使用，有效期至")
    holder = client.get(f"/api/v1/holder/{SECRET}").get_json()
    [share] = holder["shares"]
    # opened three times: the page in two languages and the API
    assert (share["purpose"], share["state"], share["uses"]) == (PURPOSE, "active", 3)


@pytest.mark.parametrize(
    ("purpose", "days", "problem"),
    [
        (PURPOSE, "0", "有效期须为 1 至 90 天。"),
        (PURPOSE, "91", "有效期须为 1 至 90 天。"),
        (PURPOSE, "三十", "有效期须为 1 至 90 天。"),
        ("   ", "30", "请填写加注内容（用途）"),
        ("用" * 61, "30", "加注内容最多 60 个字。"),
    ],
)
def test_a_bad_purpose_or_expiry_is_named_on_the_page_and_makes_nothing(
    client: FlaskClient, purpose: str, days: str, problem: str
) -> None:
    r = client.post(f"/h/{SECRET}/shares", data={"purpose": purpose, "days": days})
    assert r.status_code == 400
    assert 'id="share-problem"' in r.text and problem in text_of(r.text)
    assert client.get(f"/api/v1/holder/{SECRET}").get_json()["shares"] == []


def test_the_limits_are_inclusive_and_the_default_is_thirty_days(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate(NUMBER, secret=SECRET))
    now = dt.datetime(2026, 12, 4, 15, 59, tzinfo=dt.UTC)  # 23:59 in Chongqing
    assert make_share(registry, SECRET, "x" * 60, "90", now=now) is not None
    longest = make_share(registry, SECRET, "y", str(DAYS_MAX), now=now)
    assert not isinstance(longest, ShareProblem) and longest is not None
    assert longest.share.valid_until == dt.date(2027, 3, 4)  # 90 days after Chongqing's 4 December
    default = make_share(registry, SECRET, "z", "", now=now)
    assert not isinstance(default, ShareProblem) and default is not None
    assert default.share.valid_until == dt.date(2027, 1, 3)
    assert make_share(registry, SECRET, "x" * 61, "30", now=now) is ShareProblem.PURPOSE_TOO_LONG
    assert make_share(registry, "n" * 32, PURPOSE, "30", now=now) is None


def test_a_link_opens_until_the_end_of_its_last_china_day(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate(NUMBER, secret=SECRET))
    made_at = dt.datetime(2026, 12, 4, 2, tzinfo=dt.UTC)
    made = make_share(registry, SECRET, PURPOSE, "1", now=made_at)
    assert not isinstance(made, ShareProblem) and made is not None
    ends = expiry(made_at, 1)
    assert ends == dt.datetime(2026, 12, 5, 16, tzinfo=dt.UTC)  # 6 December, 00:00 in Chongqing
    last = share_view(registry, made.token, now=ends - dt.timedelta(microseconds=1))
    assert last is not None and last.annotation.zh == f"持证人加注：{PURPOSE}，有效期至2026年12月5日"
    assert share_view(registry, made.token, now=ends) is None
    view = holder_view(registry, SECRET, now=ends)
    assert view is not None and [s.state for s in view.shares] == [ShareState.EXPIRED]


def test_withdrawn_expired_and_malformed_links_answer_as_an_unknown_qr_token(
    client: FlaskClient, registry: Registry
) -> None:
    unknown = unknown_answer(client)
    link = made_link(client)
    [share] = client.get(f"/api/v1/holder/{SECRET}").get_json()["shares"]
    r = client.post(f"/h/{SECRET}/shares/{share['id']}/withdraw")
    assert r.status_code == 303
    assert client.get(link).data == unknown and client.get(link).status_code == 404
    assert client.get("/s/not-a-share-token").data == unknown
    assert client.get("/s/" + "Q" * 36).data == unknown
    withdrawn_api = client.get("/api/v1/shares/" + link.rsplit("/", 1)[1])
    unknown_api = client.get("/api/v1/certificates/" + UNKNOWN_QR)
    assert withdrawn_api.status_code == unknown_api.status_code == 404
    assert withdrawn_api.get_json()["detail"] == unknown_api.get_json()["detail"]
    page = text_of(client.get(f"/h/{SECRET}").text)
    assert f"{PURPOSE} · 生成于" in page and "已撤回" in page
    with registry.transaction() as ledger:  # an expired link: its end moved into the past
        link_row = ledger.shares.by_id(share["id"])
        assert link_row is not None
        link_row.withdrawn_at = None
        link_row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert client.get(link).data == unknown
    assert "已过期" in text_of(client.get(f"/h/{SECRET}").text)


def test_each_opening_is_in_the_holders_log_with_the_links_purpose(client: FlaskClient) -> None:
    first = made_link(client, "仅供甲单位招聘使用")
    second = made_link(client, "仅供乙单位职称评审使用")
    client.get(first)
    client.get(second)
    client.get(second)
    client.get(f"/v/{token_of(NUMBER)}")
    page = text_of(client.get(f"/h/{SECRET}").text)
    assert page.count("分享链接（仅供乙单位职称评审使用）") == 2
    assert page.count("分享链接（仅供甲单位招聘使用）") == 1 and page.count("· 扫码查看 ·") == 1
    assert "已查看 2 次" in page and "已查看 1 次" in page
    english = client.get(f"/h/{SECRET}", headers={"Accept-Language": "en"}).text
    assert "share link (仅供乙单位职称评审使用)" in english
    log = client.get(f"/api/v1/holder/{SECRET}").get_json()["verifications"]
    assert [(v["channel"], v["share_purpose"]) for v in log[:1]] == [("scan", None)]
    assert {v["share_purpose"] for v in log if v["channel"] == "share"} == {
        "仅供甲单位招聘使用",
        "仅供乙单位职称评审使用",
    }


def test_a_replaced_holder_link_stops_at_once_and_is_audited(client: FlaskClient, registry: Registry) -> None:
    unknown = unknown_answer(client)
    link = made_link(client)
    r = client.post(f"/h/{SECRET}/replace")
    assert r.status_code == 200
    found = re.search(r'id="new-url"><a href="http://localhost/h/([A-Za-z0-9_-]{32})"', r.text)
    assert found, r.text
    new = found[1]
    old = client.get(f"/h/{SECRET}")
    assert old.status_code == 404 and old.data == unknown
    assert client.get(f"/api/v1/holder/{SECRET}").status_code == 404
    again = client.post(f"/h/{SECRET}/replace")
    assert again.status_code == 404 and "查验码无效或证书不存在" in again.text
    page = client.get(f"/h/{new}")
    assert page.status_code == 200 and NUMBER in page.text and PURPOSE in text_of(page.text)
    assert client.get(link).status_code == 200  # share links survive the replacement
    with registry.transaction() as ledger:
        [entry] = [e for e in ledger.audit.entries() if e.action == AuditAction.HOLDER_SECRET_REPLACED]
        assert (entry.actor, entry.role, entry.subject) == ("holder", "holder", NUMBER)
        assert SECRET not in entry.detail and new not in entry.detail
        assert ledger.audit.verify().intact


def test_the_certificate_downloads_as_archived(client: FlaskClient, registry: Registry) -> None:
    page = client.get(f"/h/{SECRET}").text
    assert f'href="/h/{SECRET}/certificate.pdf"' in page
    r = client.get(f"/h/{SECRET}/certificate.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data == STORED[NUMBER]
    assert client.get("/h/" + "n" * 32 + "/certificate.pdf").data == unknown_answer(client)


def test_without_a_store_there_is_no_download(registry: Registry) -> None:
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate(NUMBER, secret=SECRET))
    app = APIFlask(__name__, docs_path=None)
    mount(app, VerifyServices(TrustSettings(anchors=()), registry, "verify.example"))
    client = app.test_client()
    assert "certificate.pdf" not in client.get(f"/h/{SECRET}").text
    r = client.get(f"/h/{SECRET}/certificate.pdf")
    assert r.status_code == 404 and "本站点未保存证书文件，无法下载" in r.text


@pytest.mark.parametrize(
    ("failure", "status", "said"),
    [
        (ReceiptUnavailable("the time-stamping authority does not answer"), 503, "暂时无法制作加注副本"),
        (KeyError(NUMBER), 404, "本站点未保存证书文件，无法制作加注副本"),
    ],
)
def test_an_annotated_copy_that_cannot_be_made_says_why_and_the_link_stays(
    registry: Registry, failure: Exception, status: int, said: str
) -> None:
    """The time-stamping authority down, or no stored file: the holder is told, nothing else changes."""
    with registry.transaction() as ledger:
        ledger.certificates.add(certificate(NUMBER, secret=SECRET))

    def make(_number: str, _share: object, _at: dt.datetime) -> bytes:
        raise failure

    app = APIFlask(__name__, docs_path=None)
    mount(app, VerifyServices(TrustSettings(anchors=()), registry, "verify.example", holder_copies=make))
    client = app.test_client()
    link = made_link(client)
    [share] = holder_view(registry, SECRET).shares  # type: ignore[union-attr]
    r = client.get(f"/h/{SECRET}/shares/{share.id}/copy.pdf")
    assert r.status_code == status and said in text_of(r.text)
    assert client.get(link).status_code == 200
