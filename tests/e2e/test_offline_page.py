"""The offline check page in Chromium: a pasted TC1: text is checked with no network at all."""

import datetime as dt
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Error, Page, Route, sync_playwright

from signing import offlineqr
from signing.offlinecodec import Tagged, b45decode, b45encode, cbor_dumps, cbor_loads
from tests.e2e.test_browser import chromium_executable
from titlecert.cli import main

FACTS = offlineqr.OfflineFacts(
    number="渝职称2026-0442",
    holder="王*明",
    id_masked="500101********4321",
    title="高级经济师",
    level="副高级",
    series="经济",
    committee="重庆市经济系列高级职称评审委员会",
    passed="2026-11-20",
    issued="2026-12-01",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=chromium_executable())
        except Error as e:
            pytest.fail(f"no Chromium to drive: run scripts/setup.sh (it installs Debian's chromium): {e}")
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    directory = tmp_path_factory.mktemp("offline-page")
    now = dt.datetime.now(dt.UTC)
    key, cert = offlineqr.create_demo_offline_key(directory / "key", now=now)
    page = directory / "offline.html"
    result = CliRunner().invoke(
        main,
        ["offline-page", str(page), "--trust", str(directory / "key" / "offline-qr.pem")],
        env={"TITLECERT_HOME": str(directory / "home")},
    )
    assert result.exit_code == 0, result.output
    return offlineqr.sign_statement(FACTS, key, cert, now=now), page


def _check(browser: Browser, page_file: Path, text: str) -> tuple[str, list[str]]:
    """What the page shows for `text`, and every non-file request it tried."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    requests: list[str] = []

    def refuse(route: Route) -> None:
        requests.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file:"), refuse)
    page: Page = context.new_page()
    page.goto(page_file.as_uri())
    page.fill("#payload", text)
    page.click("#check")
    page.wait_for_selector("#result p")
    shown = page.inner_text("#result")
    context.close()
    return shown, requests


def test_a_pasted_statement_shows_the_facts_and_the_caveat(
    browser: Browser, signed: tuple[str, Path]
) -> None:
    text, page = signed
    shown, requests = _check(browser, page, text)
    assert "签名有效 Signature valid" in shown
    assert "渝职称2026-0442" in shown and "王*明" in shown and "500101********4321" in shown
    assert (
        f"As of {dt.datetime.now(dt.UTC):%Y-%m-%d}; 请联网核验是否已撤销 check online for revocation" in shown
    )
    assert requests == []


def test_a_one_byte_change_of_the_payload_is_not_accepted(browser: Browser, signed: tuple[str, Path]) -> None:
    text, page = signed
    cose = cbor_loads(zlib.decompress(b45decode(text[4:])))
    assert isinstance(cose, Tagged) and isinstance(cose.value, list) and isinstance(cose.value[2], bytes)
    changed = cose.value[2].replace(b"0442", b"0443")
    altered = Tagged(18, [cose.value[0], cose.value[1], changed, cose.value[3]])
    shown, _ = _check(browser, page, "TC1:" + b45encode(zlib.compress(cbor_dumps(altered))))
    assert "未通过 Not accepted: the signature does not match" in shown
    assert "0443" not in shown


def test_a_statement_of_another_key_is_not_accepted(
    browser: Browser, signed: tuple[str, Path], tmp_path: Path
) -> None:
    _, page = signed
    key, cert = offlineqr.create_demo_offline_key(tmp_path, now=dt.datetime.now(dt.UTC))
    shown, _ = _check(browser, page, offlineqr.sign_statement(FACTS, key, cert, now=dt.datetime.now(dt.UTC)))
    assert "which is not in the trust list" in shown


def test_an_expired_statement_is_reported_as_expired(browser: Browser, signed: tuple[str, Path]) -> None:
    _, page = signed
    key, cert = offlineqr.load_offline_key(page.parent / "key")
    old = offlineqr.sign_statement(FACTS, key, cert, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=6 * 365))
    shown, _ = _check(browser, page, old)
    assert "the statement expired on" in shown and "check the certificate online" in shown
