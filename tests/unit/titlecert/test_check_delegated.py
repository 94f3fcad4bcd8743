"""`titlecert check` counts a delegated pass among the passes and says it gets no certificate."""

import json
from pathlib import Path

from click.testing import CliRunner

from tests.unit.docgen.test_notices import crafted
from titlecert.cli import main


def test_check_says_how_many_passes_are_delegated_reviews(tmp_path: Path) -> None:
    session = tmp_path / "delegated.json"
    session.write_text(json.dumps(crafted(), ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(session)], env={"TITLECERT_HOME": str(tmp_path)})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        f"ok: {session}: 8 applicants: 4 passed (1 of them delegated reviews: a result letter, no "
        "certificate), 1 failed the vote, "
    )
