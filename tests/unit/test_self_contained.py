"""The repository is self-contained: no tracked file cites the team's research notes kept outside
the checkout, and every docs page a tracked file names exists."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The notes that lived beside the checkout; what the code relied on is now in docs/. Spelled as a
# pattern so that this file does not name them itself.
OUTSIDE_NOTE = re.compile(r"(?:VERIFY|PYHANKO|DOMAIN|CONVERSION|STYLE)\.md|\.\./shared")

DOCS_PAGE = re.compile(r"(?<![\w/.-])docs/[\w.-]+\.md")


def tracked_texts() -> dict[str, list[str]]:
    names = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8")
    texts = {}
    for name in filter(None, names.split("\0")):
        path = ROOT / name
        if path.is_file():
            texts[name] = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return texts


def test_no_tracked_file_cites_notes_outside_the_repository() -> None:
    found = [
        f"{name}:{number}: {line.strip()}"
        for name, lines in tracked_texts().items()
        for number, line in enumerate(lines, start=1)
        if OUTSIDE_NOTE.search(line)
    ]
    assert not found, "cite a page under docs/ instead:\n" + "\n".join(found)


def test_every_docs_page_named_exists() -> None:
    missing = [
        f"{name}:{number}: {page}"
        for name, lines in tracked_texts().items()
        for number, line in enumerate(lines, start=1)
        for page in DOCS_PAGE.findall(line)
        if not (ROOT / page).is_file()
    ]
    assert not missing, "these docs pages do not exist:\n" + "\n".join(missing)
