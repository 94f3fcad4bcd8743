"""A committee's mandate (registry.mandates, titlecert.jobs.mandate) on SQLite and PostgreSQL: a
session whose committee's registered mandate lacks an applicant's series or level, or whose sitting
falls outside the term, is refused naming the file, row and field, and no job row exists; a seal
certificate is authorised only within its period, and a rotated one leaves the old one's period
standing."""

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from docgen.models import Level, LoadedSession, ReviewSession
from registry.db import Registry
from registry.mandates import LEVELS, covering, seal_authorised
from registry.models import CommitteeMandate, CommitteeSeal, IssueJob
from tests.conftest import sample_session_doc
from titlecert.jobs import mandate

NOW = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)


def loaded(tmp_path: Path) -> LoadedSession:
    doc = sample_session_doc()
    doc["approval"]["document_no"] = "渝职改办〔2026〕400号"
    path = tmp_path / "session-400.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return LoadedSession(source=path, session=ReviewSession.model_validate(doc))


def registered(registry: Registry, s: ReviewSession, **change: object) -> None:
    """A mandate for the session's committee covering it, changed by `change`."""
    fields: dict[str, object] = {
        "committee": s.committee.name,
        "series": s.applicants[0].applied.series,
        "speciality": s.committee.speciality,
        "highest_level": "正高级",
        "document_no": "渝人社备〔2024〕1号",
        "valid_from": dt.date(2024, 1, 1),
        "valid_to": dt.date(2028, 12, 31),
        "created_at": NOW,
    } | change
    with registry.transaction() as ledger:
        ledger.mandates.add_mandate(CommitteeMandate(**fields))


def test_levels_are_the_sessions_levels() -> None:
    assert set(LEVELS) == {level.value for level in Level}


def test_a_covering_mandate_passes(registry: Registry, tmp_path: Path) -> None:
    session = loaded(tmp_path)
    registered(registry, session.session)
    assert mandate.check(registry, session) == ([], [])


def test_an_unregistered_committee_is_not_checked(registry: Registry, tmp_path: Path) -> None:
    assert mandate.check(registry, loaded(tmp_path)) == ([], [])


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"series": "经济"}, "applied.series", "系列的评审权限"),
        ({"highest_level": "中级"}, "applied.level", "的评审权限，不能签发"),
        ({"valid_to": dt.date(2025, 6, 30)}, "sitting", "不在评委会"),
    ],
    ids=["wrong series", "level too high", "sitting outside the term"],
)
def test_a_session_outside_the_mandate_is_refused_before_a_job_exists(
    registry: Registry, tmp_path: Path, change: dict[str, object], field: str, words: str
) -> None:
    session = loaded(tmp_path)
    registered(registry, session.session, **change)
    errors, _ = mandate.check(registry, session)
    assert errors
    first = errors[0]
    assert first.startswith(f"{session.source}: ")
    assert words in first and "nothing can be issued" in first
    assert field.split(".")[-1] in first
    if field != "sitting":
        assert "applicants row 1" in first
    with registry.transaction() as ledger:
        assert ledger.session.execute(select(func.count()).select_from(IssueJob)).scalar_one() == 0


def test_a_rotated_seal_leaves_the_old_period_standing(registry: Registry) -> None:
    old_end = dt.datetime(2026, 6, 30, 23, 59, 59, tzinfo=dt.UTC)
    with registry.transaction() as ledger:
        for sha, start, end in (
            ("a" * 64, dt.datetime(2024, 1, 1, tzinfo=dt.UTC), old_end),
            ("b" * 64, old_end, dt.datetime(2028, 12, 31, tzinfo=dt.UTC)),
        ):
            ledger.mandates.add_seal(
                CommitteeSeal(
                    committee="评委会",
                    sha256=sha,
                    subject="CN=评委会",
                    valid_from=start,
                    valid_to=end,
                    created_at=NOW,
                )
            )
    with registry.transaction() as ledger:
        old, new = ledger.mandates.seal("A" * 64), ledger.mandates.seal("b" * 64)
        assert old is not None and new is not None
        assert [s.sha256 for s in ledger.mandates.seals("评委会")] == ["a" * 64, "b" * 64]
        sealed_before = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        sealed_after = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
        assert seal_authorised(old, sealed_before)
        assert not seal_authorised(old, sealed_after)
        assert seal_authorised(new, sealed_after)


def test_a_retired_mandate_still_covers_its_term(registry: Registry, tmp_path: Path) -> None:
    session = loaded(tmp_path).session
    registered(registry, session, valid_to=dt.date(2025, 12, 31))
    with registry.transaction() as ledger:
        mandates = ledger.mandates.of_committee(session.committee.name)
    series = session.applicants[0].applied.series
    assert covering(mandates, series, "副高级", dt.date(2025, 12, 1)) is not None
    assert covering(mandates, series, "副高级", dt.date(2026, 1, 1)) is None
