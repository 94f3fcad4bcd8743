"""The clerk pages' sign-in on the app itself: CSRF tokens on every POST, the session cookie, the SSO
header only behind trusted proxies, and page codes that name nothing answered alike."""

import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from registry.audit import Actor
from registry.db import Registry
from tests.conftest import TITLECERT, Instance, make_instance
from titlecert.app import create_app
from titlecert.clerks import accounts
from titlecert.clerks.codes import code_of
from titlecert.settings import from_env

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    inst = make_instance(tmp_path_factory.mktemp("clerk-pages") / "home")
    inst.run("init")
    proc = subprocess.run(
        [str(TITLECERT), "clerk", "add", "alice", "--password-stdin"],
        env=inst.env,
        input=PASSWORD + "\n",
        text=True,
        capture_output=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    inst.run("clerk", "assign", "alice", "12500000965RMH3W7D")
    yield inst


def client(inst: Instance, **env: str) -> FlaskClient:
    app = create_app(from_env({**inst.env, **env}))
    return app.test_client()


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries no CSRF token"
    return found.group(1)


def test_sign_in_needs_the_forms_csrf_token_and_the_right_password(home: Instance) -> None:
    web = client(home)
    assert web.get("/clerk/").headers["Location"].startswith("/clerk/login")
    fields = {"username": "alice", "password": PASSWORD, "next": "/clerk/"}
    assert web.post("/clerk/login", data=fields).status_code == 400  # no token
    token = csrf_token(web.get("/clerk/login").text)
    assert web.post("/clerk/login", data={**fields, "csrf_token": "forged"}).status_code == 400
    wrong = web.post("/clerk/login", data={**fields, "password": "x" * 20, "csrf_token": token})
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    signed_in = web.post("/clerk/login", data={**fields, "csrf_token": token})
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/clerk/"
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    listing = web.get("/clerk/")
    assert listing.status_code == 200 and "档案管理员：alice" in listing.text
    assert "script-src" not in listing.headers["Content-Security-Policy"]  # no script allowed at all
    # Signing out is a POST too, and needs the token.
    assert web.post("/clerk/logout").status_code == 400
    assert web.post("/clerk/logout", data={"csrf_token": csrf_token(listing.text)}).status_code == 303
    assert web.get("/clerk/").status_code == 302
    # An open redirect is not possible through next=.
    token = csrf_token(web.get("/clerk/login").text)
    away = web.post("/clerk/login", data={**fields, "next": "https://evil.example/", "csrf_token": token})
    assert away.headers["Location"] == "/clerk/"


def test_a_disabled_clerks_session_ends(home: Instance) -> None:
    web = client(home)
    registry = Registry(from_env(home.env).database_url)
    with registry.transaction() as ledger:
        accounts.create(ledger, "carol", PASSWORD, actor=Actor("t", "cli"), at=dt.datetime.now(dt.UTC))
    token = csrf_token(web.get("/clerk/login").text)
    web.post("/clerk/login", data={"username": "carol", "password": PASSWORD, "csrf_token": token})
    assert web.get("/clerk/").status_code == 200
    home.run("clerk", "disable", "carol")
    assert web.get("/clerk/").status_code == 302
    registry.dispose()


def test_the_sso_header_counts_only_behind_trusted_proxies(home: Instance) -> None:
    header = {"X-Remote-User": "alice"}
    ignored = client(home, TITLECERT_CLERK_SSO_HEADER="X-Remote-User")
    assert ignored.get("/clerk/", headers=header).status_code == 302
    proxied = client(home, TITLECERT_CLERK_SSO_HEADER="X-Remote-User", TITLECERT_TRUSTED_PROXIES="1")
    page = proxied.get("/clerk/", headers=header)
    assert page.status_code == 200 and "档案管理员：alice" in page.text
    assert proxied.get("/clerk/", headers={"X-Remote-User": "mallory"}).status_code == 302
    assert proxied.get("/clerk/").status_code == 302


def test_unknown_and_malformed_page_codes_get_the_same_404(home: Instance) -> None:
    web = client(home)
    unknown = web.get(f"/p/{code_of('PS2026999999', 'P', 1)}")
    malformed = web.get("/p/PS2026999999-P01-%3Cscript%3E")
    assert unknown.status_code == malformed.status_code == 404
    assert unknown.data == malformed.data


def test_page_codes_and_sign_in_draw_on_the_scan_limit_and_stay_out_of_the_api_document(
    home: Instance,
) -> None:
    web = client(home, TITLECERT_RATE_LIMIT_LOOKUP="3/minute")
    code = code_of("PS2026999999", "P", 1)
    assert [web.get(f"/p/{code}").status_code for _ in range(3)] == [404] * 3
    assert web.get(f"/p/{code}").status_code == 429
    assert web.get("/clerk/login").status_code == 429
    document = web.get("/api/v1/openapi.json")
    assert document.status_code == 200
    assert all(path.startswith("/api/v1/") for path in document.json["paths"])


def test_the_cli_keeps_passwords_off_the_command_line_and_lists_clerks(home: Instance) -> None:
    add = [str(TITLECERT), "clerk", "add", "dave", "--password-stdin"]
    short = subprocess.run(add, env=home.env, input="short\n", text=True, capture_output=True)
    assert short.returncode == 1 and "at least 12 characters" in short.stderr
    assert home.run("clerk", "--help").stdout.count("--password") == 0
    listed = [json.loads(line) for line in home.run("clerk", "list").stdout.splitlines()]
    alice = next(c for c in listed if c["username"] == "alice")
    assert alice == {
        "username": "alice",
        "units": ["12500000965RMH3W7D"],
        "password": True,
        "disabled": False,
    }
    assert "dave" not in {c["username"] for c in listed}


def test_the_pages_follow_the_readers_language(home: Instance) -> None:
    web = client(home)
    assert "档案管理员登录" in web.get("/clerk/login").text
    english = web.get("/clerk/login?lang=en")
    assert "Archive clerk sign-in" in english.text and 'lang="en"' in english.text


def banner(html: str) -> str:
    """The official-domain banner under a page's header, as a reader sees it."""
    found = re.search(r'<div class="domain">.*?</div>\s*<div class="domain-check">.*?</div>', html, re.S)
    assert found, "the page has no official-domain banner"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group()))


def test_clerk_pages_carry_the_scan_pages_domain_banner(home: Instance) -> None:
    web = client(home)
    domain = from_env(home.env).verify_domain
    scan = banner(web.get("/v/" + "A" * 32).text)
    assert f"官方查验网址：{domain}" in scan and "请核对浏览器地址栏" in scan
    assert banner(web.get("/clerk/login").text) == scan
    assert f"Official verification site: {domain}" in banner(web.get("/clerk/login?lang=en").text)


def test_forms_issued_before_the_clerk_pages_are_backfilled_from_their_session(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import select

    from registry.db import _alembic_config
    from registry.paper import PaperCopy, ReviewFormRecord, StampBox
    from tests.conftest import REPO

    inst = make_instance(tmp_path / "home")
    inst.run("init")
    session = REPO / "examples" / "session.json"
    inst.run("issue", str(session), "--out", str(tmp_path / "out"))
    registry = Registry(from_env(inst.env).database_url)

    def recorded() -> tuple[list[tuple[object, ...]], ...]:
        with registry.transaction() as ledger:
            return tuple(  # sorted: units of a job are registered in the order they finish
                sorted(
                    tuple(getattr(row, c) for c in columns)
                    for row in ledger.session.execute(select(model)).scalars()
                )
                for model, columns in (
                    (ReviewFormRecord, ("form_no", "certificate_no", "unit_code", "chain", "session_ref")),
                    (StampBox, ("form_no", "position", "level", "body", "page")),
                    (PaperCopy, ("form_no", "copy", "label", "document_id", "pages")),
                )
            )

    at_issue = recorded()
    assert len(at_issue[2]) == 2 * len(at_issue[0]) > 0
    for target in ("0005", "head"):  # as if issued before migration 0006
        with registry.engine.begin() as connection:
            cfg = _alembic_config(registry.url)
            cfg.attributes["connection"] = connection
            (command.downgrade if target == "0005" else command.upgrade)(cfg, target)
    assert recorded() == ([], [], [])
    copies = inst.run("clerk", "backfill", str(session)).stdout.split()
    assert copies[:2] == ["PS2026000001-P", "PS2026000001-U"] and len(copies) == len(at_issue[2])
    assert recorded() == at_issue
    assert inst.run("clerk", "backfill", str(session)).stdout == ""  # nothing twice
    web = client(inst)
    page = web.get(f"/p/{code_of('PS2026000001', 'U', 3)}")
    assert page.status_code == 200 and banner(page.text) == banner(web.get("/").text)  # as on /v/ pages
    registry.dispose()
