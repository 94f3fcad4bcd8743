"""`titlecert legacy import`: a list of titles awarded on paper, checked whole (a broken row named,
nothing stored), imported once (the same file again adds nothing), stored only masked and keyed, and
audited with the file's hash."""

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from docgen.errors import LegacyInputError
from registry.audit import Actor, AuditAction
from registry.db import Registry
from tests.legacy_files import ROWS, id_number, write_csv, write_xlsx
from titlecert.cli import main
from titlecert.legacy import import_legacy

KEY = b"s" * 32
ACTOR = Actor("office", "cli")
AT = dt.datetime(2026, 12, 4, 8, tzinfo=dt.UTC)


def run_import(registry: Registry, path: Path) -> tuple[int, int]:
    with registry.transaction() as ledger:
        done = import_legacy(ledger, path, secret=KEY, actor=ACTOR, at=AT)
    return done.added, done.already


def stored(registry: Registry) -> int:
    with registry.transaction() as ledger:
        return len(ledger.legacy.of_numbers(["CQ20080430", "CQ20110431"]))


def test_a_broken_row_is_named_and_nothing_is_imported(registry: Registry, tmp_path: Path) -> None:
    bad_check = id_number(432)[:-1] + ("0" if id_number(432)[-1] != "0" else "1")
    rows = [
        ROWS[0],
        ["CQ-2012-0432", "李婷", bad_check, "工程师", "中级", "", "", "评委会", "2012-12-01", "2013-01-01"],
        ["CQ-2012-0433", "", id_number(433), "工程师", "中级", "", "", "评委会", "2012-12-01", "2013-01-01"],
        [
            "CQ-2012-0434",
            "王芳",
            id_number(434),
            "工程师",
            "中级",
            "",
            "",
            "评委会",
            "2012-13-01",
            "2013-01-01",
        ],
    ]
    path = write_csv(tmp_path / "paper.csv", rows)
    with pytest.raises(LegacyInputError) as caught:
        run_import(registry, path)
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith(f"{path}: row 3, 证件号码 (id_number): check character should be")
    assert problems[1].startswith(f"{path}: row 4, 姓名 (name): required")
    assert (
        problems[2].startswith(f"{path}: row 5, 取得时间 (passed_on): a date") and "2012-13-01" in problems[2]
    )
    assert stored(registry) == 0


def test_a_good_file_is_imported_once_masked_and_audited(registry: Registry, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "paper.csv", ROWS)
    assert run_import(registry, path) == (2, 0)
    assert run_import(registry, path) == (0, 2)  # the same file again: no duplicates
    with registry.transaction() as ledger:
        rows = ledger.legacy.of_numbers(["CQ20080430", "CQ20110431"])
        first = rows["CQ20080430"]
        assert (first.name_masked, first.id_masked) == (
            "张*明",
            id_number(430)[:6] + "********" + id_number(430)[-4:],
        )
        columns = {c: getattr(first, c) for c in first.__table__.columns.keys()}  # noqa: SIM118
        assert "张晓明" not in json.dumps(columns, default=str) and id_number(430) not in json.dumps(
            columns, default=str
        )
        assert rows["CQ20110431"].issued_on == dt.date(2012, 1, 15)
        entries = [e for e in ledger.audit.entries() if e.action == AuditAction.LEGACY_IMPORTED]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert [json.loads(e.detail) for e in entries] == [
        {"sha256": sha, "added": 2, "already": 0},
        {"sha256": sha, "added": 0, "already": 2},
    ]


def test_a_number_stored_with_other_values_is_an_error(registry: Registry, tmp_path: Path) -> None:
    run_import(registry, write_csv(tmp_path / "first.csv", ROWS[:1]))
    changed = [["CQ 2008 0430", "张小明", *ROWS[0][2:]], ROWS[1]]
    path = write_csv(tmp_path / "second.csv", changed)
    with pytest.raises(LegacyInputError) as caught:
        run_import(registry, path)
    assert caught.value.problems == [
        f"{path}: row 2, 证书编号 (certificate_no): already registered with other values / "
        "该证书编号已以不同信息登记, found 'CQ20080430'"
    ]
    with registry.transaction() as ledger:
        assert ledger.legacy.by_number("CQ20110431") is None  # the good row was not imported either


def test_an_excel_workbook_imports_like_csv(registry: Registry, tmp_path: Path) -> None:
    dated = [[*r[:8], dt.date(2008, 12, 20), dt.date(2009, 3, 1)] for r in ROWS[:1]]
    assert run_import(registry, write_xlsx(tmp_path / "paper.xlsx", dated + ROWS[1:])) == (2, 0)
    # The same titles from CSV afterwards are recognised as the same.
    assert run_import(registry, write_csv(tmp_path / "paper.csv", ROWS)) == (0, 2)
    # An ID number typed into a number cell has lost its last digits: named, not imported.
    as_number = [[*ROWS[0][:2], float(id_number(435)), *ROWS[0][3:]]]
    as_number[0][0] = "CQ-2008-0435"
    path = write_xlsx(tmp_path / "numbers.xlsx", as_number)
    with pytest.raises(LegacyInputError) as caught:
        run_import(registry, path)
    assert caught.value.problems[0].startswith(f"{path}: row 2, 证件号码 (id_number): text, found a number")


def _cli(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"TITLECERT_HOME": str(home)})
    return result.exit_code, result.stdout, result.stderr


def test_the_command_imports_and_names_a_broken_row(tmp_path: Path) -> None:
    Registry(f"sqlite:///{tmp_path / 'registry.sqlite3'}").migrate()
    (tmp_path / "secret.key").write_text("k" * 64)
    broken = write_csv(tmp_path / "broken.csv", [[*ROWS[0][:8], "yesterday", "2009-03-01"]])
    code, _, err = _cli(tmp_path, "legacy", "import", str(broken))
    assert code == 2 and "error: the file has 1 problem(s); nothing was imported:" in err
    assert "row 2, 取得时间 (passed_on)" in err and "Traceback" not in err
    code, out, _ = _cli(tmp_path, "legacy", "import", str(write_csv(tmp_path / "good.csv", ROWS)))
    assert code == 0 and out.startswith("imported 2 paper title(s), 0 already registered")
