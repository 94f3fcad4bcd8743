"""An archive clerk's day, in Chromium (JavaScript off, as the pages' CSP allows none): scan a printed
review-form page's code, see its unstamped boxes, record the stamps, file the copy, find it filed in
the list and the Excel export; a clerk of another unit is refused; a copy recorded lost is void at
once (recorded by the web server with the seal keys out of its reach) and its replacement pending
until the committee office issues it from the command line; then the old page codes lead to the new
copy, whose PDF verifies while the old one is rejected.

The instance is this module's own (issuing at B-B, served by gunicorn), since it records on copies.
"""

import io
import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from registry.chinatime import china_today
from tests.conftest import (
    GENEROUS_LIMITS,
    REPO,
    TITLECERT,
    Instance,
    make_instance,
    passed_applicants,
    running,
)
from tests.e2e.test_browser import chromium_executable
from titlecert.clerks.codes import code_of

DESK: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 900},
    "java_script_enabled": False,
    "locale": "zh-CN",
}
PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    inst: Instance
    url: str
    forms: list[dict[str, Any]]
    """The review-form copies issued (issue --json)."""

    def copy_id(self, form_no: str, label: str) -> int:
        """The registry's id of a printed copy (`U`: the unit archive's)."""
        with closing(sqlite3.connect(self.inst.home / "registry.sqlite3")) as db:
            sql = "select id from paper_copies where form_no = ? and label = ?"
            [(copy_id,)] = db.execute(sql, (form_no, label)).fetchall()
        return int(copy_id)

    def form(self, index: int, copy: str) -> dict[str, Any]:
        form_no = f"PS2026{index + 1:06d}"
        return next(d for d in self.forms if d["form_no"] == form_no and d["copy"] == copy)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_executable())
        yield launched
        launched.close()


def add_clerk(inst: Instance, name: str, *units: str) -> None:
    subprocess.run(
        [str(TITLECERT), "clerk", "add", name, "--password-stdin"],
        env=inst.env,
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
    )
    inst.run("clerk", "assign", name, *units)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    inst = make_instance(tmp_path_factory.mktemp("clerks") / "home", **GENEROUS_LIMITS)
    inst.run("init")
    out = inst.home.parent / "out"
    result = json.loads(
        inst.run("issue", str(REPO / "examples" / "session.json"), "--out", str(out), "--json").stdout
    )
    units = [a["employer"]["credit_code"] for a in passed_applicants()]
    add_clerk(inst, "alice", units[0])
    add_clerk(inst, "bob", units[1])
    port = inst.public_url.rsplit(":", 1)[1]
    with running(
        inst,
        ["serve", "--port", port],
        probe_url=inst.public_url + "/healthz",
        log_name="serve.log",
        timeout=30,
    ):
        yield Site(inst, inst.public_url, [d for d in result["documents"] if d["kind"] == "review-form"])


def sign_in(page: Page, user: str) -> None:
    """Fill in and send the sign-in form the page shows."""
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def page_code_url(pdf: Path, page: int, workdir: Path) -> str:
    """The URL of the page code printed on `page` of `pdf`, as a phone camera reads it."""
    stem = workdir / f"{pdf.stem}-{page}"
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
        capture_output=True,
    )
    with Image.open(f"{stem}.png") as image:
        urls = [c.text for c in zxingcpp.read_barcodes(image) if "/p/" in c.text]
    assert len(urls) == 1, urls
    return urls[0]


def test_a_clerk_stamps_and_files_a_copy_from_its_page_code(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    personnel = site.form(0, "personnel-file")
    url = page_code_url(Path(personnel["path"]), 3, tmp_path)
    assert re.fullmatch(re.escape(site.url) + r"/p/PS2026000001-P03-[0-9A-Z]", url)
    context = browser.new_context(**DESK)
    try:
        # Anyone scanning learns that the page is genuine, and which form, copy and page it is.
        page = context.new_page()
        response = page.goto(url)
        assert response is not None and response.status == 200
        assert page.get_by_role("heading", level=1).inner_text() == "系统签发的评审表页面"
        main = page.locator("main").inner_text()
        assert "PS2026000001" in main and "人事档案" in main and "第 3 页，共 4 页" in main
        assert page.locator("table.boxes").count() == 0 and "黎军静" not in main
        assert page.locator("script").count() == 0

        page.get_by_role("link", name="档案管理员请登录后查看盖章栏并登记。").click()
        sign_in(page, "alice")
        assert page.url == url
        rows = page.locator("table.boxes tbody tr")
        assert rows.count() == 2
        assert (
            "所在单位意见" in rows.nth(0).inner_text()
            and "重庆市垫江县智慧城市运行中心" in rows.nth(0).inner_text()
        )
        assert "单位主管部门意见" in rows.nth(1).inner_text()
        assert page.locator("#copy-state").inner_text() == "待盖章"
        assert page.locator(".hash").inner_text() == personnel["sha256"]
        assert page.locator("#signatures").inner_text().startswith("有效")
        # Validated as of a past date, as `titlecert verify --at` does for a file pulled from an archive.
        page.get_by_role("link", name="下载 PDF").wait_for()
        page.get_by_label("按历史日期验证").fill("2026-12-01")
        page.get_by_role("button", name="验证", exact=True).click()
        assert "验证时点 2026-12-01T" in page.locator("#signatures").inner_text()
        page.get_by_label("按历史日期验证").fill("1.12.2026")
        page.get_by_role("button", name="验证", exact=True).click()
        assert "日期格式应为 2030-06-30。" in page.locator("main").inner_text()
        page.goto(url)

        stamped_on = china_today().isoformat()  # a clerk's dates are from the day the copy was issued
        for i in range(2):
            row = page.locator("table.boxes tbody tr").nth(i)
            row.get_by_label("盖章日期").fill(stamped_on)
            row.get_by_role("button", name="登记已盖章").click()
            assert page.url == url
        states = page.locator("table.boxes td.box-state").all_inner_texts()
        assert all(s.startswith("已盖章") and stamped_on in s and "alice" in s for s in states), states
        assert page.locator("#copy-state").inner_text() == "已盖章"

        page.get_by_label("归档位置").fill("重庆市垫江县人力资源和社会保障局档案室")
        page.get_by_role("button", name="登记归档").click()
        assert "已归档于 重庆市垫江县人力资源和社会保障局档案室" in page.locator("#filed").inner_text()
        assert page.locator("#copy-state").inner_text() == "已归档"

        page.get_by_role("link", name="评审表列表").click()
        row = page.locator("tr[data-form=PS2026000001]")
        assert "人事档案 P：已归档" in row.inner_text() and "单位文书档案 U：待盖章 0/2" in row.inner_text()
        assert page.locator("tr[data-form]").count() == 1  # alice's unit has one form
        # Confirmed on 2026-01-12, due 2026-02-12: the unit-archive copy is not filed.
        assert "2026-02-12 （已逾期）" in row.inner_text()
        assert page.locator(".overdue").first.inner_text() == "确认通知发出一个月后仍未归档的评审表：1 份"
        page.get_by_label("状态").select_option("filed")
        page.get_by_role("button", name="筛选").click()
        assert page.locator("tr[data-form]").count() == 1
        page.get_by_label("状态").select_option("stamped")
        page.get_by_role("button", name="筛选").click()
        assert page.locator("tr[data-form]").count() == 0
        assert "1 份" in page.locator("p.overdue").inner_text()  # the count ignores the state filter
        export = context.request.get(f"{site.url}/clerk/forms.xlsx")
        sheet = load_workbook(io.BytesIO(export.body())).active
        lines = {(r[0], r[9]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
        assert lines[("PS2026000001", "P")][10] == "已归档" and lines[("PS2026000001", "U")][10] == "待盖章"
    finally:
        context.close()


def test_a_clerk_of_another_unit_is_refused(site: Site, browser: Browser, tmp_path: Path) -> None:
    url = page_code_url(Path(site.form(0, "unit-archive")["path"]), 2, tmp_path)
    context = browser.new_context(**DESK)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/clerk/login")
        sign_in(page, "bob")
        response = page.goto(url)
        assert response is not None and response.status == 403
        assert "此评审表不属于分配给您的单位。" in page.locator("main").inner_text()
        assert page.locator("table.boxes").count() == 0 and page.locator("form[action*=stamp]").count() == 0
        copy_id = site.copy_id("PS2026000001", "U")  # ids follow the order units were registered in
        response = page.goto(f"{site.url}/clerk/copies/{copy_id}")
        assert response is not None and response.status == 403
        assert page.goto(f"{site.url}/clerk/copies/{copy_id}/pdf").status == 403  # type: ignore[union-attr]
        assert "PS2026000001" not in page.goto(f"{site.url}/clerk/").text()  # type: ignore[union-attr]
    finally:
        context.close()


@contextmanager
def keys_away(inst: Instance, vault: Path) -> Iterator[None]:
    """The instance's seal keys (keys.json, the PKCS#12 files) moved out of its home for the block:
    whatever runs then cannot seal."""
    moved = [inst.home / "keys.json", *inst.home.glob("pki/*.p12")]
    vault.mkdir()
    for path in moved:
        path.rename(vault / path.name)
    try:
        yield
    finally:
        for path in moved:
            (vault / path.name).rename(path)


def test_a_lost_copy_is_void_at_once_and_its_replacement_issued_by_the_office(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    old = site.form(0, "unit-archive")
    old_url = page_code_url(Path(old["path"]), 1, tmp_path)
    context = browser.new_context(**DESK)
    try:
        page = context.new_page()
        page.goto(f"{site.url}/clerk/login?next=/clerk/")
        sign_in(page, "alice")
        page.goto(old_url)
        # The web server records the loss with no seal key within reach: it never seals.
        with keys_away(site.inst, tmp_path / "vault"):
            page.get_by_label("原因", exact=True).fill("邮寄途中遗失")
            page.get_by_role("button", name="作废此份并申请补发").click()
            assert page.url == old_url
            assert page.get_by_role("heading", level=1).inner_text() == "此份评审表已作废"
            assert page.locator("#replacement").inner_text() == "已申请补发，新的一份尚待签发。"
            assert "遗失（申请补发）" in page.locator("ol.events").inner_text()
            page.get_by_role("link", name="评审表列表").click()
            row = page.locator("tr[data-form=PS2026000001]").inner_text()
            assert "单位文书档案 U：已作废（补发待办）" in row and "U2" not in row
            void = site.inst.run("verify", old["path"], "--json", check=False)  # void at once
            assert void.returncode == 1 and json.loads(void.stdout)[0]["verdict"] == "invalid"

        # The committee office issues it from the command line, once.
        [request] = [json.loads(line) for line in site.inst.run("clerk", "replacements").stdout.splitlines()]
        assert (request["copy"], request["requested_by"], request["reason"]) == (
            "PS2026000001-U",
            "alice",
            "邮寄途中遗失",
        )
        issued = site.inst.run("clerk", "replacements", "issue", "--all")
        assert issued.stdout == "PS2026000001-U PS2026000001-U2\n"
        again = site.inst.run("clerk", "replacements", "issue", "PS2026000001-U")
        assert again.stdout == "" and "PS2026000001-U was replaced already" in again.stderr
        assert site.inst.run("clerk", "replacements").stdout == ""

        page.goto(old_url)
        assert page.get_by_role("heading", level=1).inner_text() == "此份评审表已作废"
        page.get_by_role("link", name="已补发新的一份（U2），请以新份为准。").click()
        assert re.fullmatch(re.escape(site.url) + r"/p/PS2026000001-U201-[0-9A-Z]", page.url)
        assert page.get_by_role("heading", level=1).inner_text() == "系统签发的评审表页面"
        assert "单位文书档案 U2" in page.locator("main").inner_text()
        download = context.request.get(
            site.url + str(page.get_by_role("link", name="下载 PDF").get_attribute("href"))
        )
        assert download.status == 200
        new_pdf = tmp_path / "U2.pdf"
        new_pdf.write_bytes(download.body())
        new_url = page_code_url(new_pdf, 1, tmp_path)
        assert new_url == page.url
        verified = site.inst.run("verify", str(new_pdf), "--json", check=False)
        report = json.loads(verified.stdout)[0]
        assert verified.returncode == 0 and report["verdict"] == "valid", report
        assert report["document"] == "review-form PS2026000001 (unit-archive-2)"
        # On paper the replacement says so, and which copy it replaces, in every page's header and footer.
        mark = "补发 PS2026000001-U2 · 替代已作废的 PS2026000001-U"
        for name, pdf in (("U2", new_pdf), ("U", Path(old["path"]))):
            pages = subprocess.run(
                ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
            ).stdout.split("<page ")[1:]
            assert len(pages) == 4
            for text in pages:
                marks = [
                    float(y)
                    for y, word in re.findall(r'yMin="([\d.]+)"[^>]*>([^<]*)<', text)
                    if "补发" in word
                ]
                if name == "U":
                    assert marks == [] and mark not in text
                else:
                    assert text.count(mark) == 2 and min(marks) < 60 and max(marks) > 780, text
        page.get_by_role("link", name="评审表列表").click()
        row = page.locator("tr[data-form=PS2026000001]").inner_text()
        assert "单位文书档案 U：已作废（已补发 U2）" in row and "单位文书档案 U2：待盖章 0/2" in row
    finally:
        context.close()
    anonymous = browser.new_context(**DESK)
    try:
        page = anonymous.new_page()
        assert page.goto(old_url).status == 200  # type: ignore[union-attr]
        assert page.get_by_role("heading", level=1).inner_text() == "此份评审表已作废"
        assert "已补发新的一份（U2）" in page.locator("main").inner_text()
        assert page.goto(new_url).status == 200  # type: ignore[union-attr]
        assert page.get_by_role("heading", level=1).inner_text() == "系统签发的评审表页面"
        old_pdf = site.inst.run("verify", old["path"], "--json", check=False)
        assert old_pdf.returncode == 1 and json.loads(old_pdf.stdout)[0]["verdict"] == "invalid"
        assert "reported lost: it is void" in " ".join(json.loads(old_pdf.stdout)[0]["reasons"])
        past_the_end = page.goto(f"{site.url}/p/{code_of('PS2026000001', 'P', 5)}")  # the copy has 4 pages
        assert past_the_end is not None and past_the_end.status == 404
        unknown = page.goto(f"{site.url}/p/PS2099000001-P01-0")
        malformed_page = anonymous.new_page()
        malformed = malformed_page.goto(f"{site.url}/p/not-a-code")
        assert unknown is not None and malformed is not None and unknown.status == malformed.status == 404
        assert page.locator("main").inner_text() == malformed_page.locator("main").inner_text()
    finally:
        anonymous.close()
