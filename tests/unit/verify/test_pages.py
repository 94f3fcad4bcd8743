"""The public pages in both languages, through Flask's test client over a throwaway SQLite registry."""

import datetime as dt
import hashlib
import io
import re
from collections.abc import Iterator

import pytest
from apiflask import APIFlask
from flask import Flask
from flask.testing import FlaskClient

from registry.db import Registry
from registry.models import CertificateRecord, CertificateStatus
from registry.repository import hash_token
from signing.trust import TrustSettings
from tests.records import signature_report
from verify.checks import Analysis
from verify.web import VerifyServices, limits, mount

DOMAIN = "verify.example.test"
VALID = "A" * 32
REVOKED = "B" * 32
SUPERSEDED = "C" * 32
REPLACEMENT = "D" * 32
SUPERSEDED_NO_LINK = "E" * 32
UNKNOWN = "Z" * 32
UPLOAD = b"%PDF-1.7 a sealed certificate"
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def record(token: str, number: str, **changes: object) -> CertificateRecord:
    values: dict[str, object] = {
        "certificate_no": number,
        "token_hash": hash_token(token),
        "issue_key": number,
        "holder_name": "张晓明",
        "holder_id_masked": "500101********1234",
        "title": "高级工程师",
        "level": "副高级",
        "series": "工程技术",
        "speciality": "大数据智能化",
        "committee": "重庆市工程技术大数据智能化专业高级职称评审委员会",
        "authority": "重庆市职称改革办公室",
        "approval_no": "渝职改办〔2026〕12号",
        "passed_on": dt.date(2025, 12, 21),
        "issued_on": dt.date(2026, 1, 12),
        "sha256": hashlib.sha256(number.encode()).hexdigest(),
        "created_at": dt.datetime(2026, 1, 12, tzinfo=dt.UTC),
    }
    values.update(changes)
    return CertificateRecord(**values)


def fake_analyser(data: bytes, trust: TrustSettings, at: dt.datetime | None = None) -> Analysis:
    seal = signature_report(signer="CN=DEMO committee", signed_at="2026-01-12T10:00:00+08:00")
    return Analysis(signatures=(seal,))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    registry = Registry(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'registry.sqlite3'}")
    registry.migrate()
    with registry.transaction() as ledger:
        ledger.certificates.add(record(VALID, "CQZC2026000001", sha256=hashlib.sha256(UPLOAD).hexdigest()))
        ledger.certificates.add(record(REVOKED, "CQZC2026000002"))
        # 20:30 UTC on 1 March is 04:30 on 2 March in Beijing.
        ledger.certificates.revoke(
            "CQZC2026000002", reason="评审终止", at=dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)
        )
        ledger.certificates.add(
            record(REPLACEMENT, "CQZC2026000004", holder_name="王小红", title="正高级工程师")
        )
        ledger.certificates.add(
            record(
                SUPERSEDED,
                "CQZC2026000003",
                superseded_by="CQZC2026000004",
                status=CertificateStatus.SUPERSEDED.value,
                status_reason="证书信息更正",
                status_changed_at=dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC),
            )
        )
        ledger.certificates.add(
            record(SUPERSEDED_NO_LINK, "CQZC2026000005", status=CertificateStatus.SUPERSEDED.value)
        )
    flask_app = APIFlask(__name__, docs_path=None)
    flask_app.config["MAX_CONTENT_LENGTH"] = 1024
    services = VerifyServices(TrustSettings(anchors=()), registry, DOMAIN, analyser=fake_analyser)
    mount(flask_app, services)
    limits.install(flask_app, services.limits)
    yield flask_app
    registry.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_scan_page_in_chinese_by_default(client: FlaskClient) -> None:
    r = client.get(f"/v/{VALID}")
    assert r.status_code == 200 and '<html lang="zh-CN">' in r.text
    seen = text_of(r.text)
    assert seen.index("有效") < seen.index("证书编号"), "the status comes before the registered content"
    labels = [
        "持证人 张*明",
        "证件号码 500101********1234",
        "资格名称 高级工程师",
        "级别 副高级",
        "系列 工程技术",
        "专业 大数据智能化",
        "批准文号 渝职改办〔2026〕12号",
        "取得时间 2025-12-21",
        "发证时间 2026-01-12",
        f"官方查验网址： {DOMAIN}",
        "请核对浏览器地址栏",
    ]
    for label in labels:
        assert label in seen
    assert "张晓明" not in r.text
    assert 'href="?lang=en"' in r.text and "<script" not in r.text


def test_accept_language_picks_english(client: FlaskClient) -> None:
    r = client.get(f"/v/{VALID}", headers={"Accept-Language": "en-US,en;q=0.9,zh-CN;q=0.5"})
    seen = text_of(r.text)
    assert '<html lang="en">' in r.text
    for label in (
        "Valid",
        "Holder 张*明",
        "Professional title 高级工程师",
        "Review committee",
        "Approving authority",
        f"Official verification site: {DOMAIN}",
        "Fingerprint",
    ):
        assert label in seen
    assert "Accept-Language" in r.headers["Vary"] and "Cookie" in r.headers["Vary"]
    preferred_zh = client.get(f"/v/{VALID}", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert '<html lang="zh-CN">' in preferred_zh.text


def test_lang_link_sets_a_cookie_that_later_pages_follow(client: FlaskClient) -> None:
    first = client.get(f"/v/{VALID}?lang=en")
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert '<html lang="en">' in client.get("/").text
    assert '<html lang="en">' in client.get(f"/v/{VALID}", headers={"Accept-Language": "zh-CN"}).text
    back = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in back.text and back.headers["Set-Cookie"].startswith("lang=zh;")
    assert '<html lang="zh-CN">' in client.get("/").text
    ignored = client.get("/?lang=fr")
    assert "Set-Cookie" not in ignored.headers and '<html lang="zh-CN">' in ignored.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", f"/v/{UNKNOWN}"),
        ("GET", "/nowhere"),
        ("GET", "/verify"),
        ("POST", "/verify"),
        ("GET", "/legacy"),
    ],
)
def test_english_pages_have_no_chinese_left(client: FlaskClient, method: str, path: str) -> None:
    r = client.open(path, method=method, headers={"Accept-Language": "en"})
    page = r.text.replace(">中文<", "><")  # the switch back names Chinese in Chinese
    assert not HAN.findall(page), f"{method} {path}: untranslated: {sorted(set(HAN.findall(page)))}"


REGISTERED_DATA = (
    "重庆市工程技术大数据智能化专业高级职称评审委员会",
    "重庆市职称改革办公室",
    "渝职改办〔2026〕12号",
    "张*明",
    "高级工程师",
    "副高级",
    "工程技术",
    "大数据智能化",
    ">中文<",
)
"""What an English page may show in Chinese: the registered content, and the switch back to 中文."""


def chinese_outside_data(page: str, data: tuple[str, ...] = REGISTERED_DATA) -> list[str]:
    """The Chinese characters of `page` outside the registered data, each of which it must show."""
    for value in data:
        assert value in page
        page = page.replace(value, "")
    return sorted(set(HAN.findall(page)))


def test_english_scan_page_shows_chinese_only_in_registered_data(client: FlaskClient) -> None:
    page = client.get(f"/v/{REVOKED}?lang=en").text
    assert not chinese_outside_data(page, (*REGISTERED_DATA, "评审终止"))


def test_a_genuine_files_report_says_whose_certificate_it_is_in_either_language(client: FlaskClient) -> None:
    def report(lang: str) -> str:
        return client.post(
            f"/verify?lang={lang}",
            data={"file": (io.BytesIO(UPLOAD), "c.pdf")},
            content_type="multipart/form-data",
            environ_base={"REMOTE_ADDR": "192.0.2.7"},  # its own upload limit: other tests upload too
        ).text

    chinese, english = text_of(report("zh")), report("en")
    assert "这是一份真实、有效的职称证书：CQZC2026000001，持证人 张*明，高级工程师（副高级）" in chinese
    assert "印章 1：评委会 通过 PASSED" in chinese
    assert "盖章时间（时间戳证明） 无（未经时间戳证明）" in chinese
    assert "签章时间（签章人自述） 2026-01-12 10:00:00 北京时间（UTC+8）" in chinese
    assert "吊销核查 未核查：文件不含吊销信息" in chinese
    assert "ENTIRE_REVISION" not in chinese and "FORM_FILLING" not in chinese
    seen = text_of(english)
    assert "This is a genuine certificate in force: CQZC2026000001, held by 张*明" in seen
    assert "Seal 1: Review committee passed PASSED" in seen
    assert "covers the file as sealed; only further seals were added after it" in seen
    assert "2026-01-12 10:00:00 Beijing time (UTC+8)" in seen
    assert not chinese_outside_data(english)
    # After a form post the language link goes to the home page: the report cannot be fetched again.
    assert 'href="/?lang=zh"' in english


def test_a_reports_reasons_are_in_the_pages_language(client: FlaskClient) -> None:
    def reasons(lang: str) -> str:
        page = client.post(
            f"/verify?lang={lang}",
            data={"file": (io.BytesIO(UPLOAD + b" another"), "c.pdf")},
            content_type="multipart/form-data",
        ).text
        start = page.index('<ul class="reasons">') + len('<ul class="reasons">')
        return text_of(page[start : page.index("</ul>", start)])

    chinese = reasons("zh")
    assert "这份文件从未签发过：登记库中没有它的指纹" in chinese
    assert not re.search(r"[A-Za-z]{4,}", chinese)  # no English sentence on the Chinese page
    english = reasons("en")
    assert "this exact file was never issued" in english and not HAN.findall(english)


def test_revoked_shows_reason_and_beijing_date(client: FlaskClient) -> None:
    seen = text_of(client.get(f"/v/{REVOKED}").text)
    assert "已撤销 撤销日期 2026-03-02 撤销原因 评审终止" in seen
    english = text_of(client.get(f"/v/{REVOKED}?lang=en").text)
    assert "Revoked Revoked on 2026-03-02 Reason 评审终止" in english


def test_superseded_links_to_the_new_certificate(client: FlaskClient) -> None:
    page = client.get(f"/v/{SUPERSEDED}")
    seen = text_of(page.text)
    assert page.status_code == 200
    assert "已被新证书替代" in seen and "替代日期 2026-04-01" in seen and "新证书编号 CQZC2026000004" in seen
    link = f'href="/v/{SUPERSEDED}/successor"'
    assert link in page.text
    successor = client.get(f"/v/{SUPERSEDED}/successor")
    shown = text_of(successor.text)
    assert successor.status_code == 200
    assert shown.index("有效") < shown.index("您扫描的证书已被替代") < shown.index("CQZC2026000004")
    assert "王*红" in shown and "正高级工程师" in shown and "CQZC2026000003" not in shown


def test_superseded_without_a_registered_successor_has_no_link(client: FlaskClient) -> None:
    page = client.get(f"/v/{SUPERSEDED_NO_LINK}").text
    assert "已被新证书替代" in page and "/successor" not in page and "新证书编号" not in page
    assert client.get(f"/v/{SUPERSEDED_NO_LINK}/successor").status_code == 404


def test_not_found_is_the_same_for_unknown_malformed_and_successor_probes(client: FlaskClient) -> None:
    pages = [
        client.get(path) for path in (f"/v/{UNKNOWN}", "/v/x", f"/v/{VALID}/successor", "/v/x/successor")
    ]
    assert {p.status_code for p in pages} == {404}
    assert len({p.data for p in pages}) == 1 and "未找到" in pages[0].text


def test_errors_are_pages_for_people_and_problems_for_the_api(client: FlaskClient) -> None:
    page = client.get("/nowhere", headers={"Accept-Language": "en"})
    assert page.status_code == 404 and page.mimetype == "text/html" and "Page not found" in page.text
    api = client.get("/api/v1/nowhere", headers={"Accept-Language": "en"})
    assert api.status_code == 404 and api.mimetype == "application/problem+json"
    assert client.get("/verify").status_code == 405 and "无法这样访问此网址" in client.get("/verify").text
    big = client.post(
        "/verify",
        data={"file": (io.BytesIO(b"%PDF" + b"0" * 4096), "big.pdf")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )
    assert big.status_code == 413 and "File too large" in big.text and "20 MiB" in big.text
    big_api = client.post(
        "/api/v1/verify",
        data={"file": (io.BytesIO(b"%PDF" + b"0" * 4096), "big.pdf")},
        content_type="multipart/form-data",
    )
    assert big_api.status_code == 413 and big_api.mimetype == "application/problem+json"


def test_api_json_is_not_translated(client: FlaskClient) -> None:
    zh = client.get(f"/api/v1/certificates/{REVOKED}").get_json()
    en = client.get(f"/api/v1/certificates/{REVOKED}", headers={"Accept-Language": "en"}).get_json()
    assert zh == en and zh["status"] == "revoked"


def test_every_page_keeps_the_strict_policy(client: FlaskClient) -> None:
    for path in ("/", f"/v/{VALID}", f"/v/{UNKNOWN}", "/nowhere", "/?lang=en"):
        r = client.get(path)
        assert r.headers["Cache-Control"] == "no-store"
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert "<script" not in r.text and not re.search(r"<[^>]+\son\w+=", r.text)
