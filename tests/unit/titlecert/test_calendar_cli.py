"""`titlecert calendar`: the covered years, and `calendar check FILE` on a good and a broken file."""

import json
from pathlib import Path

from click.testing import CliRunner

from docgen.workdays import STATUTORY_DAYS_OFF, package_years
from tests.conftest import review_moved, sample_session_doc
from titlecert.cli import main

YEAR = max(package_years()) + 1
GOOD = {
    "years": [YEAR],
    "holidays": [f"{YEAR}-{m:02d}-{d:02d}" for m, d in STATUTORY_DAYS_OFF],
    "workdays": [],
}


def run(home: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env={"TITLECERT_HOME": str(home)})
    return result.exit_code, result.stdout, result.stderr


def test_the_covered_years_come_from_the_package_and_the_homes_file(tmp_path: Path) -> None:
    first, last = min(package_years()), max(package_years())
    code, out, _ = run(tmp_path, "calendar")
    assert code == 0 and f"covered: {first}-{last}\n" in out and "none (no overrides)" in out
    (tmp_path / "calendar.json").write_text(json.dumps(GOOD), encoding="utf-8")
    code, out, _ = run(tmp_path, "calendar")
    assert code == 0 and f"covered: {first}-{YEAR}\n" in out and f"years {YEAR};" in out
    code, out, _ = run(tmp_path, "calendar", "--json")
    doc = json.loads(out)
    assert doc["covered"] == [*package_years(), YEAR] and doc["overrides"]["years"] == [YEAR]


def test_a_broken_home_file_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "calendar.json").write_text('{"years": [2027', encoding="utf-8")
    code, _, err = run(tmp_path, "calendar")
    assert code == 1 and "calendar.json: is not valid JSON at line 1" in err and "Traceback" not in err


def test_calendar_check_accepts_a_whole_year(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    code, out, err = run(tmp_path, "calendar", "check", str(path))
    assert code == 0 and out.startswith(f"ok: {path}: years {YEAR}, 5 holiday(s)") and err == ""


def test_calendar_check_names_each_broken_entry(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    broken = {
        "years": [YEAR, "soon"],
        "holidays": [f"{YEAR}-01-01", f"{YEAR}-13-01", f"{YEAR}-02-06"],  # National Day left out
        "workdays": [f"{YEAR}-02-06"],
        "year": [YEAR],
    }
    path.write_text(json.dumps(broken), encoding="utf-8")
    code, out, err = run(tmp_path, "calendar", "check", str(path))
    assert code == 1 and out == ""
    for expected in (
        "year: unknown key",
        "years[1]: expected a year such as 2027, found 'soon'",
        f"holidays[1]: expected a date written YYYY-MM-DD, found '{YEAR}-13-01'",
        f"holidays[2]: {YEAR}-02-06 is also under workdays (workdays[0])",
        f"years[0]: {YEAR}-10-01 (国庆节) is a statutory holiday but would be a working day",
    ):
        assert f"error: {path}: {expected}" in err, expected
    code, out, _ = run(tmp_path, "calendar", "check", "--json", str(path))
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False and len(doc["errors"]) >= 5 and doc["overrides"] is None


def test_check_stops_a_year_end_session_until_the_home_describes_the_year(tmp_path: Path) -> None:
    doc = review_moved(sample_session_doc(), f"{YEAR - 1}-12-27", f"{YEAR - 1}-12-28")
    doc["approval"]["date"] = f"{YEAR}-01-20"
    del doc["results_publicity"], doc["report_submitted_on"]
    session = tmp_path / "year-end.json"
    session.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(tmp_path, "check", str(session))
    assert code == 2 and out == "" and "nothing was issued" in err
    assert "results_publicity: the results publicity (not given, so a computed default" in err
    (tmp_path / "calendar.json").write_text(json.dumps(GOOD), encoding="utf-8")
    code, out, _ = run(tmp_path, "check", str(session))
    assert code == 0 and out.startswith(f"ok: {session}")


def test_the_timetables_are_the_notices_and_the_homes(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, "calendar")
    assert code == 0 and "timetables: 2025 (the notice, item 三)\n" in out
    later = {"apply": ["2026-09-07", "2026-09-21"], "audit": ["2026-09-07", "2026-10-30"]}
    (tmp_path / "calendar.json").write_text(
        json.dumps(
            {
                "timetables": {
                    "2026": {
                        **later,
                        "payment": ["2026-11-09", "2026-11-13"],
                        "review": ["2026-12-01", "2026-12-31"],
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run(tmp_path, "calendar")
    assert code == 0 and "2025 (the notice, item 三), 2026 (calendar.json)\n" in out
    doc = json.loads(run(tmp_path, "calendar", "--json")[1])
    assert doc["timetables"]["2026"]["payment"] == ["2026-11-09", "2026-11-13"]
    assert doc["timetables"]["2025"]["source"] == "the notice, item 三"
    code, out, _ = run(tmp_path, "calendar", "check", str(tmp_path / "calendar.json"))
    assert code == 0 and "1 timetable(s)" in out
