"""One normal-channel application a year across sessions (titlecert.jobs.yearly) on SQLite and
PostgreSQL: what `check` says before a job exists, what a job's creation records, what an
abandoned job gives back, and two sessions racing for one person. Jobs are made as opening makes
them (the job and its applicants in one transaction), without documents."""

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from docgen.errors import InputError
from docgen.models import ROUTE_LABELS, LoadedSession, ReviewSession, Route
from registry.db import Registry
from registry.errors import Conflict, RegistryError, Unavailable
from registry.holders import holder_id_hmac
from registry.models import IssueJob, IssueUnit, UnitState, YearlyApplication
from tests.conftest import another_id_number, sample_session_doc
from titlecert.jobs import yearly

SECRET = b"instance secret of the yearly tests"
COMMITTEE = "重庆市工程技术大数据智能化专业高级职称评审委员会"
XU, LI, XUE, HE, JIANG = 0, 1, 2, 3, 4
"""Rows of the sample: 许思婷 (failed the vote), 黎军静 (passed, rural route, HMT residence
permit), 薛伟 (passed), 何华 (passed, HMT residence permit), 姜伟子 (passed, aid route)."""


def unchanged(doc: dict[str, Any]) -> None:
    pass


def session(
    tmp_path: Path,
    approval: int,
    rows: list[int] | None = None,
    change: Callable[[dict[str, Any]], None] = unchanged,
) -> LoadedSession:
    """The sample as the session 渝职改办〔2026〕<approval>号 (its rows `rows`), changed by `change`."""
    doc = sample_session_doc()
    doc["approval"]["document_no"] = f"渝职改办〔2026〕{approval}号"
    if rows is not None:
        doc["applicants"] = [doc["applicants"][i] for i in rows]
    change(doc)
    path = tmp_path / f"session-{approval}-{len(list(tmp_path.glob('session-*')))}.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return LoadedSession(source=path, session=ReviewSession.model_validate(doc))


def opened(
    registry: Registry, loaded: LoadedSession, out: str = "out", registered: tuple[int, ...] = ()
) -> int:
    """A job opened for `loaded` writing to `out` (its applicants recorded in the same transaction),
    the awards of the rows `registered` registered already; its id."""
    now = dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        job = IssueJob(
            fingerprint="f" * 64,
            out_dir=out,
            inputs="",
            plan="{}",
            actor="office",
            created_at=now,
            updated_at=now,
        )
        units = [
            IssueUnit(
                kind="award", label=f"row {i}", applicant=i, state=UnitState.REGISTERED.value, updated_at=now
            )
            for i in registered
        ]
        job_id = ledger.jobs.add(job, units).id
        yearly.record(ledger, loaded, SECRET, job_id, now=now)
    return job_id


def where(loaded: LoadedSession, row: int) -> str:
    """How a finding names the row: file, row (from 1) and name."""
    return f"{loaded.source}: applicants row {row + 1} ({loaded.session.applicants[row].name})"


def earlier(approval: int, job: int, row: int, route: str, result: str) -> str:
    """How a finding names the earlier session of the sample's committee and sitting."""
    return (
        f"{COMMITTEE} 2025-12-20 评审会（批准文号 渝职改办〔2026〕{approval}号，签发任务 {job}，"
        f"申报人第 {row + 1} 行，{route}，{result}）"
    )


def jobs_and_rows(registry: Registry) -> tuple[int, int]:
    with registry.transaction() as ledger:
        return len(ledger.jobs.recent()), ledger.applications.count(2025)


def test_a_second_session_of_the_year_is_refused_naming_the_first_and_the_row(
    registry: Registry, tmp_path: Path
) -> None:
    first = session(tmp_path, 360)
    job = opened(registry, first)
    with registry.transaction() as ledger:
        recorded = ledger.applications.of_job(job)
    assert len(recorded) == 8  # every applicant, passed or not
    assert {r.id_hmac for r in recorded} == {
        holder_id_hmac(SECRET, a.id_number) for a in first.session.applicants
    }
    stored = json.dumps([vars(r) for r in recorded], default=str, ensure_ascii=False)
    assert not any(a.id_number in stored or a.name in stored for a in first.session.applicants)

    second = session(tmp_path, 361, rows=[XUE, XU, JIANG])
    found = yearly.check(registry, second, SECRET, out=tmp_path / "out-361")
    assert (found.year, found.recorded, found.warnings) == (2025, 8, [])
    rule = (
        f"。{yearly.RULE}，本评审会的此项申报不能签发（请从本文件删除该申报人）；"
        "如两份文件是同一评审会的同一批材料，其评委会名称和"
        f"批准文号须一致；签发任务 {job} 尚未完成（输出文件夹 out）：如它签发的是本评审会材料的错误版本，"
        "请把更正后的文件签发到同一文件夹：该任务即被放弃，它未签发的申报人不再计入本年度"
    )
    counted = "id_number: 同一证件号码本年度（2025年）已通过正常申报渠道申报过一次职称："
    assert found.errors == [
        f"{where(second, 0)}, {counted}{earlier(360, job, XUE, '正常申报', '评审通过')}{rule}",
        # failed the vote: that was the year's application too
        f"{where(second, 1)}, {counted}{earlier(360, job, XU, '正常申报', '评审未通过')}{rule}",
        # the aid route is the normal channel, its conditions relaxed
        f"{where(second, 2)}, {counted}{earlier(360, job, JIANG, ROUTE_LABELS[Route.AID], '评审通过')}{rule}",
    ]
    before = jobs_and_rows(registry)
    with pytest.raises(InputError) as refused:  # the job's creation refuses too, and leaves nothing
        opened(registry, second)
    assert [p.split(": 同一")[0] for p in refused.value.problems] == [
        f"{where(second, i)}, id_number" for i in range(3)
    ]
    assert jobs_and_rows(registry) == before


def test_the_same_person_next_year_is_accepted(registry: Registry, tmp_path: Path) -> None:
    opened(registry, session(tmp_path, 362))

    def next_year(doc: dict[str, Any]) -> None:
        doc["sitting"] |= {"start": "2026-12-19", "end": "2026-12-20"}

    later = session(tmp_path, 363, change=next_year)
    found = yearly.check(registry, later, SECRET, out=None)
    assert (found.year, found.recorded, found.errors, found.warnings) == (2026, 0, [], [])
    opened(registry, later)
    with registry.transaction() as ledger:
        assert (ledger.applications.count(2025), ledger.applications.count(2026)) == (8, 8)


def route(row: int, value: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        doc["applicants"][row]["route"] = value

    return change


def test_a_failed_green_channel_evaluation_leaves_the_normal_application_of_the_year(
    registry: Registry, tmp_path: Path
) -> None:
    opened(registry, session(tmp_path, 364, rows=[XU], change=route(0, "green_channel")))  # failed
    normal = session(tmp_path, 365, rows=[XU])
    assert yearly.check(registry, normal, SECRET, out=None).errors == []
    opened(registry, normal)
    # Then no second normal one.
    assert len(yearly.check(registry, session(tmp_path, 366, rows=[XU]), SECRET, out=None).errors) == 1


def test_a_passed_green_channel_evaluation_counts_and_a_green_channel_is_not_limited(
    registry: Registry, tmp_path: Path
) -> None:
    job = opened(registry, session(tmp_path, 367, rows=[XUE], change=route(0, "green_channel")))  # passed
    normal = session(tmp_path, 368, rows=[XUE])
    [error] = yearly.check(registry, normal, SECRET, out=None).errors
    assert "同一证件号码本年度（2025年）已经“绿色通道”评定通过：" in error
    assert earlier(367, job, 0, "绿色通道", "评审通过") in error
    # After a normal application, a green-channel one is not what the rule limits.
    opened(registry, session(tmp_path, 369, rows=[XU]))
    green = session(tmp_path, 370, rows=[XU], change=route(0, "green_channel"))
    assert yearly.check(registry, green, SECRET, out=None).errors == []
    opened(registry, green)


def test_the_same_session_again_or_corrected_is_the_same_application(
    registry: Registry, tmp_path: Path
) -> None:
    first = session(tmp_path, 371)
    job = opened(registry, first, out="out-a")  # say it failed before issuing anything

    def corrected(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE]["name"] = "薛玮"

    again = session(tmp_path, 371, change=corrected)
    assert yearly.check(registry, again, SECRET, out=tmp_path / "out-b").errors == []
    opened(registry, again, out="out-b")  # the same session into another folder: nothing new recorded
    with registry.transaction() as ledger:
        assert ledger.applications.count(2025) == 8

    def new_number(doc: dict[str, Any]) -> None:
        doc["applicants"][XUE]["id_number"] = another_id_number(
            "resident_id", doc["applicants"][XUE]["id_number"], 1
        )

    fixed = session(tmp_path, 371, change=new_number)
    with registry.transaction() as ledger:  # the job continued with a corrected ID number
        yearly.replace(ledger, fixed, SECRET, job, now=dt.datetime.now(dt.UTC))
    with registry.transaction() as ledger:
        mine = {r.applicant: r.id_hmac for r in ledger.applications.of_job(job)}
    assert mine[XUE] == holder_id_hmac(SECRET, fixed.session.applicants[XUE].id_number)


def test_a_job_abandoned_before_issuing_gives_back_what_it_did_not_register(
    registry: Registry, tmp_path: Path
) -> None:
    wrong = session(tmp_path, 372)  # the approval number was mistyped
    job = opened(registry, wrong, out=str(tmp_path / "out"), registered=(LI,))
    right = session(tmp_path, 373)
    # Into the same folder: opening abandons that job, so only what it registered still counts.
    found = yearly.check(registry, right, SECRET, out=tmp_path / "out")
    assert [e.split(": 同一")[0] for e in found.errors] == [f"{where(right, LI)}, id_number"]
    assert "尚未完成" not in found.errors[0]  # registered: re-issue it (`titlecert reissue`) instead
    # Elsewhere: every applicant, with the way out named.
    elsewhere = yearly.check(registry, right, SECRET, out=tmp_path / "elsewhere")
    assert len(elsewhere.errors) == 8
    assert f"签发任务 {job} 尚未完成（输出文件夹 {tmp_path / 'out'}）" in elsewhere.errors[0]
    with registry.transaction() as ledger:  # as opening does
        ledger.jobs.abandon(ledger.jobs.job(job), reason="replaced", at=dt.datetime.now(dt.UTC))
        yearly.release_abandoned(ledger, job)
    with registry.transaction() as ledger:
        assert [r.applicant for r in ledger.applications.of_job(job)] == [LI]
    others = session(tmp_path, 373, rows=[i for i in range(8) if i != LI])
    opened(registry, others, out=str(tmp_path / "out"))


def test_another_id_document_with_the_same_name_sex_and_birth_date_is_a_warning(
    registry: Registry, tmp_path: Path
) -> None:
    job = opened(registry, session(tmp_path, 374, rows=[HE, XUE]))

    def other_documents(doc: dict[str, Any]) -> None:
        he, xue = doc["applicants"]
        he |= {"id_type": "passport", "id_number": "K12345678"}
        xue["id_number"] = another_id_number("resident_id", xue["id_number"], 2)  # a namesake

    second = session(tmp_path, 375, rows=[HE, XUE], change=other_documents)
    found = yearly.check(registry, second, SECRET, out=None)
    assert found.errors == []
    [warning] = found.warnings
    assert warning.startswith(
        f"{where(second, 0)}: 同名、同性别、同出生日期的申报人本年度（2025年）"
        f"已以另一证件（港澳台居民居住证）申报：{earlier(374, job, 0, '正常申报', '评审通过')}。"
    )
    assert "可忽略此提示" in warning

    def another_permit(doc: dict[str, Any]) -> None:
        he = doc["applicants"][0]
        he["id_number"] = another_id_number(he["id_type"], he["id_number"], 3)

    # Two HMT residence permit numbers are two people: a person keeps one for life.
    assert (
        yearly.check(
            registry, session(tmp_path, 376, rows=[HE], change=another_permit), SECRET, out=None
        ).warnings
        == []
    )


def test_of_two_sessions_recording_one_person_at_once_exactly_one_commits(
    registry: Registry, tmp_path: Path
) -> None:
    first, second = session(tmp_path, 377, rows=[XUE]), session(tmp_path, 378, rows=[XUE])
    assert yearly.check(registry, second, SECRET, out=None).errors == []  # both pass the check
    recorded = threading.Event()
    outcomes: dict[str, BaseException | None] = {}

    def open_first() -> None:
        now = dt.datetime.now(dt.UTC)
        try:
            with registry.transaction() as ledger:
                job = IssueJob(
                    fingerprint="1" * 64,
                    out_dir="a",
                    inputs="",
                    plan="{}",
                    actor="a",
                    created_at=now,
                    updated_at=now,
                )
                yearly.record(ledger, first, SECRET, ledger.jobs.add(job, []).id, now=now)
                recorded.set()
                time.sleep(1)  # the other transaction runs into this one, uncommitted
            outcomes["first"] = None
        except BaseException as e:  # noqa: BLE001 - reported to the test
            recorded.set()
            outcomes["first"] = e

    def open_second() -> None:
        recorded.wait(30)
        try:
            opened(registry, second, out="b")
            outcomes["second"] = None
        except BaseException as e:  # noqa: BLE001 - reported to the test
            outcomes["second"] = e

    threads = [threading.Thread(target=open_first), threading.Thread(target=open_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes["first"] is None, outcomes
    # PostgreSQL refuses the second insert once the first commits (Raced); SQLite makes the second
    # wait for the first and then finds its row (InputError), or gives up waiting (Unavailable).
    assert isinstance(outcomes["second"], yearly.Raced | InputError | Unavailable), outcomes
    with registry.transaction() as ledger:
        rows = ledger.applications.of_people(
            2025, {holder_id_hmac(SECRET, first.session.applicants[0].id_number)}, ()
        )
    assert [r.approval_no for r in rows] == ["渝职改办〔2026〕377号"]
    after = yearly.after_race(registry, second, SECRET)  # what opening then says
    assert isinstance(after, InputError) and "渝职改办〔2026〕377号" in after.problems[0]


def application(approval: str, job_id: int, **changes: object) -> YearlyApplication:
    """A normal-channel application of one person (by made-up hashes) in session `approval`."""
    values: dict[str, Any] = {
        "year": 2025,
        "id_hmac": "a" * 64,
        "person_hmac": "b" * 64,
        "normal_key": "a" * 64,
        "counts": True,
        "id_type": "resident_id",
        "route": "normal",
        "outcome": "passed",
        "committee": COMMITTEE,
        "approval_no": approval,
        "sitting_start": dt.date(2025, 12, 20),
        "applicant": 0,
        "job_id": job_id,
        "created_at": dt.datetime.now(dt.UTC),
    }
    return YearlyApplication(**(values | changes))


def test_the_unique_key_refuses_a_second_normal_application_unchecked(registry: Registry) -> None:
    now = dt.datetime.now(dt.UTC)
    with registry.transaction() as ledger:
        jobs = [
            ledger.jobs.add(
                IssueJob(
                    fingerprint=n * 64,
                    out_dir=n,
                    inputs="",
                    plan="{}",
                    actor="a",
                    created_at=now,
                    updated_at=now,
                ),
                [],
            ).id
            for n in ("1", "2")
        ]
        ledger.applications.record([application("A", jobs[0])])
    with pytest.raises(Conflict, match="at the same time"), registry.transaction() as ledger:
        ledger.applications.record([application("B", jobs[1])])
    with registry.transaction() as ledger:  # a green-channel one (no normal key) goes in beside it
        ledger.applications.record([application("C", jobs[1], normal_key=None, route="green_channel")])
        assert ledger.applications.count(2025) == 2


def test_a_registry_that_does_not_answer_is_an_error_never_a_pass(tmp_path: Path) -> None:
    down = Registry("postgresql+psycopg://titlecert@127.0.0.1:9/none?connect_timeout=2")
    with pytest.raises(Unavailable) as caught:
        yearly.check(down, session(tmp_path, 379), SECRET, out=None)
    assert str(caught.value).startswith(
        "one application a year across sessions cannot be checked: the registry at "
        "postgresql+psycopg://titlecert@127.0.0.1:9/none?connect_timeout=2 cannot be used just now: "
    )
    assert isinstance(caught.value, RegistryError)
    down.dispose()
