"""The clerks' guards, on the pages and the command line alike: a copy filed with a box not recorded
stamped only with a reason (kept in its history and the audit log), no date after today in Chongqing
nor before the copy was issued, `clerk assign` checking the credit code and saying what it did."""

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from registry.audit import Actor
from registry.chinatime import china_date, china_today
from registry.db import Registry
from registry.models import DocumentRecord
from registry.paper import CopyState, EventKind, PaperCopy
from registry.repository import hash_token
from tests.conftest import Instance, make_instance
from tests.integration.test_clerk_pages import PASSWORD, client, csrf_token
from tests.integration.test_clerk_records import ALICE, DAY, printed_form, state_of
from tests.integration.test_lifecycle_and_audit import AT
from titlecert.clerks import accounts
from titlecert.clerks.records import DateRefused, IncompleteFiling, record
from titlecert.settings import from_env

UNIT = "12500000965RMH3W7D"
ISSUED = china_date(AT)


@dataclasses.dataclass
class Desk:
    inst: Instance
    registry: Registry
    personnel: int
    """Copy P of printed_form's form (two boxes, both on page 3)."""
    archive: int
    """Copy U of the same form."""


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    inst = make_instance(tmp_path_factory.mktemp("clerk-guards") / "home")
    inst.run("init")
    registry = Registry(from_env(inst.env).database_url)
    personnel = printed_form(registry)
    with registry.transaction() as ledger:
        doc = ledger.certificates.add_document(
            DocumentRecord(
                kind="review-form",
                number="PS2026000001",
                copy="unit-archive",
                certificate_no="CQZC2026000001",
                sha256=hash_token("UPS2026000001"),
                pages=4,
                created_at=AT,
            )
        )
        archive = PaperCopy(
            form_no="PS2026000001", copy="unit-archive", label="U", document_id=doc.id, pages=4, created_at=AT
        )
        ledger.session.add(archive)
        ledger.session.flush()
        archive_id = archive.id
        accounts.create(ledger, "alice", PASSWORD, actor=Actor("office", "cli"), at=AT)
        accounts.assign(ledger, "alice", UNIT, actor=Actor("office", "cli"))
    yield Desk(inst, registry, personnel, archive_id)
    registry.dispose()


def signed_in(desk: Desk) -> FlaskClient:
    web = client(desk.inst)
    token = csrf_token(web.get("/clerk/login").text)
    answer = web.post("/clerk/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303
    return web


def audit_details(registry: Registry) -> list[dict[str, object]]:
    with registry.transaction() as ledger:
        return [json.loads(e.detail) for e in ledger.audit.entries()]


def test_chongqing_time_decides_which_day_is_today() -> None:
    late = dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC)
    assert china_date(late) == dt.date(2026, 3, 4)  # already tomorrow in Chongqing
    assert china_date(late.replace(tzinfo=None)) == dt.date(2026, 3, 4)  # SQLite's naive UTC
    assert china_date(dt.datetime(2026, 3, 3, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 3, 3)


def test_filing_with_a_box_not_stamped_needs_a_reason_kept_in_the_audit_log(registry: Registry) -> None:
    copy = printed_form(registry)
    record(registry, copy, EventKind.STAMPED, actor=ALICE, on=DAY, box=1, body="重庆某某中心")
    with pytest.raises(
        IncompleteFiling, match=r"box\(es\) 2 \(单位主管部门, page 3\).*--incomplete-reason"
    ) as e:
        record(registry, copy, EventKind.FILED, actor=ALICE, on=DAY, body="单位档案室")
    assert [b.position for b in e.value.missing] == [2]
    with pytest.raises(IncompleteFiling):
        record(
            registry, copy, EventKind.FILED, actor=ALICE, on=DAY, body="单位档案室", incomplete_reason="  "
        )
    assert state_of(registry, copy) is CopyState.AWAITING_STAMPS  # nothing recorded
    filed = record(
        registry,
        copy,
        EventKind.FILED,
        actor=ALICE,
        on=DAY,
        body="单位档案室",
        incomplete_reason="主管部门已撤销",
    )
    assert filed.note == "主管部门已撤销" and state_of(registry, copy) is CopyState.FILED
    assert audit_details(registry)[-1]["incomplete"] == {"missing_boxes": [2], "reason": "主管部门已撤销"}


def test_dates_after_today_in_chongqing_or_before_the_copy_was_issued_are_refused(registry: Registry) -> None:
    copy = printed_form(registry)
    tomorrow = china_today() + dt.timedelta(days=1)
    with pytest.raises(DateRefused, match="after today in Chongqing") as future:
        record(registry, copy, EventKind.STAMPED, actor=ALICE, on=tomorrow, box=1, body="重庆某某中心")
    assert future.value.latest == china_today()
    with pytest.raises(DateRefused, match=f"before the copy was issued: give a day from {ISSUED}"):
        record(
            registry,
            copy,
            EventKind.FILED,
            actor=ALICE,
            on=ISSUED - dt.timedelta(days=1),
            body="x",
            incomplete_reason="r",
        )
    record(registry, copy, EventKind.STAMPED, actor=ALICE, on=ISSUED, box=1, body="重庆某某中心")
    record(registry, copy, EventKind.STAMPED, actor=ALICE, on=china_today(), box=2, body="主管部门")
    assert state_of(registry, copy) is CopyState.STAMPED


def test_the_page_asks_to_confirm_an_incomplete_filing_and_refuses_future_dates(desk: Desk) -> None:
    web = signed_in(desk)
    page = f"/clerk/copies/{desk.archive}"
    shown = web.get(page).text
    token = csrf_token(shown)
    assert "以下盖章栏尚未登记盖章：第 1 栏（所在单位，第 3 页）、第 2 栏（单位主管部门，第 3 页）" in shown
    assert f'max="{china_today().isoformat()}"' in shown

    def post(action: str, **fields: str) -> tuple[int, str]:
        answer = web.post(f"{page}/{action}", data={"csrf_token": token, **fields})
        return answer.status_code, answer.text

    tomorrow = (china_today() + dt.timedelta(days=1)).isoformat()
    status, text = post("stamp", box="1", body="重庆某某中心", on=tomorrow)
    assert status == 400 and f"日期 {tomorrow} 晚于今天（北京时间 {china_today().isoformat()}）" in text
    status, text = post("stamp", box="1", body="重庆某某中心", on="2026-02-28")
    assert status == 400 and f"早于此份签发日期 {ISSUED.isoformat()}" in text
    assert post("stamp", box="1", body="重庆某某中心", on=DAY.isoformat())[0] == 303
    # A reason alone is not the confirmation; nor is the box ticked without a reason.
    status, text = post("file", place="单位档案室", on=DAY.isoformat(), incomplete_reason="主管部门另函")
    assert status == 409 and "尚有盖章栏未登记盖章" in text
    assert post("file", place="单位档案室", on=DAY.isoformat(), incomplete="1")[0] == 409
    assert state_of(desk.registry, desk.archive) is CopyState.AWAITING_STAMPS
    assert (
        post(
            "file", place="单位档案室", on=DAY.isoformat(), incomplete="1", incomplete_reason="主管部门另函"
        )[0]
        == 303
    )
    shown = web.get(page).text
    assert "已归档于 单位档案室" in shown and "主管部门另函" in shown.split('<ol class="events">')[1]
    assert audit_details(desk.registry)[-1]["incomplete"] == {
        "missing_boxes": [2],
        "reason": "主管部门另函",
    }
    english = web.get(f"{page}?lang=en").text
    assert "Filed" in english


def test_the_command_line_refuses_naming_the_boxes_and_files_with_a_reason(desk: Desk) -> None:
    run = desk.inst.run
    tomorrow = (china_today() + dt.timedelta(days=1)).isoformat()
    future = run(
        "clerk", "stamp", "PS2026000001-P", "1", "--body", "重庆某某中心", "--on", tomorrow, check=False
    )
    assert future.returncode == 1 and f"the date {tomorrow} is after today in Chongqing" in future.stderr
    bad = run("clerk", "stamp", "PS2026000001-P", "1", "--body", "x", "--on", "3.3.2026", check=False)
    assert bad.returncode == 2 and "give it as 2026-03-05" in bad.stderr
    run("clerk", "stamp", "PS2026000001-P", "1", "--body", "重庆某某中心", "--on", DAY.isoformat())
    refused = run("clerk", "file", "PS2026000001-P", "--place", "人事档案室", check=False)
    assert refused.returncode == 1
    assert "copy PS2026000001-P: stamp box(es) 2 (单位主管部门, page 3) not recorded" in refused.stderr
    assert "--incomplete-reason" in refused.stderr and "IncompleteFiling" not in refused.stderr
    done = run(
        "clerk", "file", "PS2026000001-P", "--place", "人事档案室", "--incomplete-reason", "待主管部门补盖"
    )
    assert f"PS2026000001-P: filed at 人事档案室 on {china_today().isoformat()}" in done.stderr
    with desk.registry.transaction() as ledger:
        book = ledger.paper
        copy = book.copy(desk.personnel)
        assert copy is not None
        state = book.state(copy)
        assert state.state is CopyState.FILED and state.filed is not None
        assert state.filed.note == "待主管部门补盖"
    assert audit_details(desk.registry)[-1]["incomplete"] == {
        "missing_boxes": [2],
        "reason": "待主管部门补盖",
    }


def test_assign_checks_the_credit_code_and_says_what_it_assigned(desk: Desk) -> None:
    run = desk.inst.run
    run("clerk", "add", "bob", "--sso-only")
    wrong = run("clerk", "assign", "bob", UNIT, UNIT[:-1] + "E", check=False)
    assert wrong.returncode == 1
    assert f"unit '{UNIT[:-1]}E' is not a unified social credit code" in wrong.stderr
    assert "check character should be 'D', found 'E'" in wrong.stderr and "business licence" in wrong.stderr
    listed = {
        json.loads(line)["username"]: json.loads(line) for line in run("clerk", "list").stdout.splitlines()
    }
    assert listed["bob"]["units"] == []  # nothing assigned when one code is wrong
    done = run("clerk", "assign", "bob", UNIT.lower(), "91500000MA5U7Q0T1E")
    assert done.stdout.splitlines() == [
        f"{UNIT} (重庆某某中心) assigned to bob: 1 form(s) (PS2026000001), 2 printed copy(ies)",
        "91500000MA5U7Q0T1E assigned to bob: 0 form(s), 0 printed copy(ies)",
    ]
    assert "2 unit(s) assigned, 0 unchanged" in done.stderr
    again = run("clerk", "assign", "bob", UNIT)
    assert (
        again.stdout.startswith(f"{UNIT} (重庆某某中心) was already assigned to bob")
        and "0 unit(s)" in again.stderr
    )
    removed = run("clerk", "assign", "bob", "91500000MA5U7Q0T1E", "--remove")
    assert removed.stdout.startswith("91500000MA5U7Q0T1E taken from bob")
