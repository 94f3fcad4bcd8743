"""Small modules: no source module of the product, its tools or its benchmarks over 400 lines."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LIMIT = 400
SOURCE_FOLDERS = ("docgen", "signing", "registry", "verify", "titlecert", "templates", "tools", "bench")


def test_no_source_module_is_over_400_lines() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--", *(f"{folder}/*.py" for folder in SOURCE_FOLDERS)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert len(tracked) > 100  # the whole tree was listed
    sizes = {path: len((REPO / path).read_text(encoding="utf-8").splitlines()) for path in tracked}
    assert {path: n for path, n in sizes.items() if n > LIMIT} == {}
