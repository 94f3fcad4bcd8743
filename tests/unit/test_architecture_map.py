"""ARCHITECTURE.md is a map of the code, and stays one: every module path it names exists, and every
module of the product packages is named in it."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "ARCHITECTURE.md"

PACKAGES = ("docgen", "signing", "registry", "verify", "titlecert", "templates", "tools", "bench")

# Named by their folder instead of one by one: the Alembic migrations.
FOLDER_ENTRIES = ("registry/migrations/versions/",)

# A path in backticks that looks like a module path: a .py file or a folder (ending in /).
MODULE_PATH = re.compile(r"`([\w.-]+(?:/[\w.-]+)*(?:\.py|/))`")


def named_paths() -> set[str]:
    return set(MODULE_PATH.findall(MAP.read_text(encoding="utf-8")))


def tracked_modules() -> list[str]:
    names = subprocess.run(
        ["git", "ls-files", "-z", "--", *(f"{p}/*.py" for p in PACKAGES)],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    return sorted(filter(None, names.split("\0")))


def exempt(module: str) -> bool:
    """`__init__.py` files may be left out (the docstring-only ones are), and modules under a
    folder the map names as one entry are covered by it."""
    return module.endswith("/__init__.py") or module.startswith(FOLDER_ENTRIES)


def test_every_module_path_the_map_names_exists() -> None:
    missing = sorted(p for p in named_paths() if not (ROOT / p).exists())
    assert not missing, "ARCHITECTURE.md names paths that do not exist:\n" + "\n".join(missing)


def test_every_module_of_the_product_packages_is_on_the_map() -> None:
    named = named_paths()
    modules = tracked_modules()
    assert modules, "git ls-files found no modules"
    missing = [m for m in modules if not exempt(m) and m not in named]
    missing += [f for f in FOLDER_ENTRIES if f not in named]
    assert not missing, "give each a line in ARCHITECTURE.md:\n" + "\n".join(missing)
