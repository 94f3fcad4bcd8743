"""What a person with a phone sees: the QR code of an issued certificate, opened in Chromium.

The certificate PDF's first page is rendered to an image (pdftoppm), its QR code decoded
(zxing-cpp) and the URL opened by Playwright in Debian's Chromium on a phone-sized screen, with
JavaScript off: the pages need none, and their CSP allows none.
"""

import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Error, Page, sync_playwright

from tests.conftest import Instance, Issued, passed_applicants, serve_pki
from tests.tamper import add_page_content

PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "java_script_enabled": False,
}
GREEN = "rgb(29, 122, 54)"  # .status-valid .status-label in verify.css


def chromium_executable() -> str | None:
    """Debian's Chromium, which scripts/setup.sh installs."""
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        try:
            # Playwright's own browser build is used only when Debian's is missing and it was downloaded.
            launched = playwright.chromium.launch(executable_path=executable)
        except Error as e:
            pytest.fail(f"no Chromium to drive: run scripts/setup.sh (it installs Debian's chromium): {e}")
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(locale="zh-CN", **PHONE)
    yield context
    context.close()


def qr_url(pdf: Path, workdir: Path) -> str:
    """The URL in the QR code printed on the first page of `pdf`, as a phone camera reads it."""
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(workdir / "page"),
        ],
        check=True,
        capture_output=True,
    )
    with Image.open(workdir / "page.png") as image:
        codes = zxingcpp.read_barcodes(image)
    urls = [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode and c.text.startswith("http")]
    assert len(urls) == 1, f"expected one URL QR code on the certificate, found {[c.text for c in codes]}"
    return urls[0]


def open_page(context: BrowserContext, url: str) -> tuple[Page, int, list[str]]:
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    response = page.goto(url)
    assert response is not None
    return page, response.status, problems


def scrolls_sideways(page: Page) -> bool:
    """Whether the page is wider than the phone's screen (or laid out for a desktop and zoomed out)."""
    content, layout = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return bool(max(content, layout) > PHONE["viewport"]["width"])


def visible_text(page: Page, text: str) -> bool:
    return page.get_by_text(text, exact=True).first.is_visible()


def test_scanning_the_certificate_opens_its_page_on_a_phone(
    server: str, issued: Issued, phone: BrowserContext, tmp_path: Path
) -> None:
    document = issued.documents[0]
    pdf = Path(document["path"])
    url = qr_url(pdf, tmp_path)
    assert re.fullmatch(re.escape(server) + r"/v/[A-Z2-7]{32}", url) and url == document["verify_url"]

    page, status, problems = open_page(phone, url)
    page.screenshot(path=tmp_path / "scan-zh.png", full_page=True)
    assert status == 200
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "有效" and heading.is_visible()
    box = heading.bounding_box()
    assert box is not None and box["y"] + box["height"] < 844 / 2, f"the status is not near the top: {box}"
    assert heading.evaluate("e => getComputedStyle(e).color") == GREEN, "the stylesheet did not apply"
    holder = passed_applicants()[0]
    registered = [
        "黎*静",
        "820000********0537",
        "高级工程师",
        "重庆市工程技术大数据智能化专业高级职称评审委员会",
        "重庆市职称改革办公室",
        "渝职改办〔2026〕12号",
    ]
    for text in registered:
        assert visible_text(page, text), text
    shown_hash = page.locator(".hash").inner_text().strip()
    assert shown_hash == hashlib.sha256(pdf.read_bytes()).hexdigest() == document["sha256"]
    domain = urlsplit(url).netloc
    assert page.locator("header .domain strong").inner_text() == domain
    assert "请核对浏览器地址栏" in page.locator("header").inner_text()
    body = page.locator("body").inner_text()
    assert holder["name"] not in body and holder["id_number"] not in body
    assert not scrolls_sideways(page)
    assert page.locator("script").count() == 0
    assert not problems, problems

    page.get_by_role("link", name="English").click()
    page.screenshot(path=tmp_path / "scan-en.png", full_page=True)
    assert page.get_by_role("heading", level=1).inner_text() == "Valid"
    for label in (
        "Holder",
        "Professional title",
        "Review committee",
        "Approving authority",
        "Registered content",
    ):
        assert visible_text(page, label), label
    assert "Official verification site" in page.locator("header").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"
    assert not scrolls_sideways(page)
    # The choice is remembered: the QR URL itself now opens in English.
    page.goto(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Valid"
    page.get_by_role("link", name="中文").click()
    assert page.get_by_role("heading", level=1).inner_text() == "有效"
    assert not problems, problems


def test_an_english_phone_gets_english(server: str, issued: Issued, browser: Browser) -> None:
    context = browser.new_context(locale="en-US", **PHONE)
    try:
        page, status, problems = open_page(context, issued.documents[0]["verify_url"])
        assert status == 200 and page.get_by_role("heading", level=1).inner_text() == "Valid"
        assert visible_text(page, "Holder") and not scrolls_sideways(page)
        assert not problems, problems
    finally:
        context.close()


def test_an_unknown_code_shows_not_found(server: str, phone: BrowserContext) -> None:
    page, status, problems = open_page(phone, f"{server}/v/{'A' * 32}")
    assert status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "未找到"
    assert "查验码无效" in page.locator("main").inner_text()
    assert not scrolls_sideways(page)
    # The page's own 404 is the only thing the browser complains of: its stylesheet and icon load.
    assert problems == ["Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]
    assert page.get_by_role("heading", level=1).evaluate("e => getComputedStyle(e).fontWeight") == "700"


LIBRARY_TOKENS = re.compile(
    r"ENTIRE_(FILE|REVISION)|FORM_FILLING|LTA_UPDATES|INTACT:|UNTRUSTED|Traceback|Error\b"
)
ENGLISH_SENTENCE = re.compile(r"\b[a-z]{3,}(?: [a-z]{2,}){3,}\b")
"""Four lower-case English words in a row: a sentence, not a code, name or fingerprint."""


def upload(context: BrowserContext, server: str, pdf: Path, lang: str) -> Page:
    """Upload `pdf` on the home page, as a person with a phone does, and return the report page."""
    page, status, problems = open_page(context, f"{server}/?lang={lang}")
    assert status == 200 and not problems, problems
    page.locator("input[type=file]").set_input_files(str(pdf))
    page.locator("form:has(input[type=file]) button[type=submit]").click()
    page.wait_for_load_state()
    return page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_uploaded_certificate_report_reads_plainly_in_either_language(
    server: str, issued: Issued, phone: BrowserContext, tmp_path: Path, lang: str
) -> None:
    genuine = Path(issued.documents[0]["path"])
    page = upload(phone, server, genuine, lang)
    page.screenshot(path=tmp_path / f"report-{lang}.png", full_page=True)
    main = page.locator("main").inner_text()
    heading = page.get_by_role("heading", level=1).inner_text()
    seals = page.locator("section.seal")
    assert seals.count() == 2 and page.locator("section.seal-passed").count() == 2
    if lang == "zh":
        assert heading == "有效" and "这是一份真实、有效的职称证书：CQZC2026000001，持证人 黎*静" in main
        assert "北京时间（UTC+8）" in main and not ENGLISH_SENTENCE.search(main), main
    else:
        assert heading == "Valid" and "This is a genuine certificate in force: CQZC2026000001" in main
        assert "Beijing time (UTC+8)" in main
    assert not LIBRARY_TOKENS.search(main), main
    assert not scrolls_sideways(page)

    edited = tmp_path / "edited.pdf"
    edited.write_bytes(add_page_content(genuine.read_bytes()))
    page = upload(phone, server, edited, lang)
    page.screenshot(path=tmp_path / f"report-edited-{lang}.png", full_page=True)
    main = page.locator("main").inner_text()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == ("文件已被改动" if lang == "zh" else "File changed")
    assert (
        "印章是真的，但这份文件在盖章之后被改动过"
        if lang == "zh"
        else "The seals are genuine, but this file was changed"
    ) in main
    last_seal = page.locator("section.seal").last.inner_text()
    assert ("盖章之后文件被改动了" if lang == "zh" else "the file was changed after it") in last_seal, (
        last_seal
    )
    assert not LIBRARY_TOKENS.search(main), main
    if lang == "zh":
        assert not ENGLISH_SENTENCE.search(main), main


def submit(page: Page, button: str) -> None:
    """Press a form's button and wait until the page it answers with has loaded."""
    with page.expect_navigation():
        page.locator(button).click()
    page.wait_for_load_state()


def printed_code(pdf: Path) -> str:
    """The verification code as printed under the certificate's QR (two lines of four groups)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    lines = re.findall(r"^[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}$", text, re.M)
    assert len(lines) == 2, f"expected the code's two lines on the certificate, found {lines}"
    return "-".join(lines)


ASCII_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,]+[A-Za-z]{2,}){2,}")
"""Three or more English words in a row: a sentence left untranslated on a Chinese page."""


@pytest.mark.parametrize(
    ("locale", "found", "match", "no_match"),
    [("zh-CN", "有效", "一致", "不一致"), ("en-US", "Valid", "Match", "No match")],
)
def test_typing_the_number_and_code_reaches_the_scan_page_and_the_match_form_answers(
    server: str, issued: Issued, browser: Browser, locale: str, found: str, match: str, no_match: str
) -> None:
    document = issued.documents[0]
    code = printed_code(Path(document["path"]))
    assert code.replace("-", "") == urlsplit(document["verify_url"]).path.rsplit("/", 1)[1]
    holder = passed_applicants()[0]
    context = browser.new_context(locale=locale, **PHONE)
    try:
        page, status, problems = open_page(context, server + "/")
        assert status == 200 and not scrolls_sideways(page)
        page.fill("#certificate_no", document["certificate_no"].lower())
        page.fill("#code", code.lower().replace("-", " "))  # as a person might type it
        submit(page, "#code-form button")
        assert re.fullmatch(re.escape(document["verify_url"]) + r"\?via=code", page.url), page.url
        assert page.get_by_role("heading", level=1).inner_text() == found
        assert document["certificate_no"] in page.locator("main").inner_text()

        page.fill("#name", holder["name"])
        page.fill("#id_number", holder["id_number"])
        submit(page, "#match-form button")
        assert page.locator("#match-result .status-label").inner_text() == match
        assert holder["id_number"] not in page.locator("body").inner_text()
        assert not scrolls_sideways(page)
        page.fill("#name", holder["name"] + "某")
        submit(page, "#match-form button")
        assert page.locator("#match-result .status-label").inner_text() == no_match
        assert page.locator("script").count() == 0
        assert not problems, problems
    finally:
        context.close()


def test_the_chinese_pages_forms_have_no_english_sentence(
    server: str, issued: Issued, phone: BrowserContext
) -> None:
    page, _, _ = open_page(phone, server + "/")
    page.fill("#certificate_no", "CQZC2026999999")
    page.fill("#code", "A" * 32)
    submit(page, "#code-form button")  # the neutral not-found answer
    assert page.locator("#code-not-found").is_visible()
    seen = [page.locator("body").inner_text()]
    page.fill("#page_code", "not a code")
    submit(page, "#page-code-form button")
    seen.append(page.locator("body").inner_text())
    page.goto(issued.documents[0]["verify_url"])
    page.fill("#name", "某某")
    submit(page, "#match-form button")
    seen.append(page.locator("body").inner_text())
    for text in seen:
        assert not ASCII_SENTENCE.search(text), ASCII_SENTENCE.search(text)


@pytest.mark.parametrize(
    ("lang", "heading"), [("zh", "真实的验证报告"), ("en", "Genuine verification receipt")]
)
def test_a_report_pages_receipt_downloads_and_verifies_on_the_site(
    server: str,
    instance: Instance,
    issued: Issued,
    phone: BrowserContext,
    tmp_path: Path,
    lang: str,
    heading: str,
) -> None:
    page = upload(phone, server, Path(issued.documents[0]["path"]), lang)
    with serve_pki(instance), page.expect_download(timeout=60_000) as download:  # its time stamp
        page.locator("#receipt-form button").click()
    receipt = tmp_path / "receipt.pdf"
    download.value.save_as(receipt)
    assert re.fullmatch(r"receipt-YZ\d{8}-[2-9A-Z]{8}\.pdf", download.value.suggested_filename)
    page = upload(phone, server, receipt, lang)
    main = page.locator("main").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == heading
    number = download.value.suggested_filename.removeprefix("receipt-").removesuffix(".pdf")
    assert number in main and issued.documents[0]["certificate_no"] in main
    assert not LIBRARY_TOKENS.search(main), main
    if lang == "zh":
        assert "这是本站查验服务于" in main and not ENGLISH_SENTENCE.search(main), main
    assert not scrolls_sideways(page)
