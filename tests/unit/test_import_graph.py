"""No import cycles: between modules (imports inside functions and under TYPE_CHECKING included,
since a cycle hidden in a function is still a cycle), between sub-packages, and between the
scripts of tools/ and bench/. import-linter checks the layers; this checks the rest of "imports
one way"."""

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("docgen", "signing", "registry", "verify", "titlecert")
SCRIPT_FOLDERS = ("tools", "bench")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, exclude_type_checking_imports=False, cache_dir=None)


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(edges).prepare()
    except graphlib.CycleError as e:
        return list(e.args[1])
    return None


def test_no_module_imports_itself_back(graph: grimp.ImportGraph) -> None:
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    cycle = _cycle(edges)
    assert cycle is None, "import cycle between modules: " + " → ".join(cycle or ())


def _package_of(module: str, packages: set[str]) -> str:
    return module if module in packages else module.rpartition(".")[0]


def test_no_sub_package_imports_its_sibling_back(graph: grimp.ImportGraph) -> None:
    packages = {m for m in graph.modules if (ROOT / m.replace(".", "/") / "__init__.py").exists()}
    edges: dict[str, set[str]] = defaultdict(set)
    for m in graph.modules:
        source = _package_of(m, packages)
        for target in map(lambda t: _package_of(t, packages), graph.find_modules_directly_imported_by(m)):
            # a package importing its own sub-package (or back) is how a package is built
            if (
                target != source
                and not target.startswith(source + ".")
                and not source.startswith(target + ".")
            ):
                edges[source].add(target)
    cycle = _cycle(edges)
    assert cycle is None, "import cycle between packages: " + " → ".join(cycle or ())


def _script_imports(path: Path, siblings: set[str]) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.partition(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
    return found & siblings


@pytest.mark.parametrize("folder", SCRIPT_FOLDERS)
def test_no_script_imports_its_sibling_back(folder: str) -> None:
    scripts = {p.stem: p for p in (ROOT / folder).glob("*.py")}
    edges = {name: _script_imports(path, set(scripts)) - {name} for name, path in scripts.items()}
    cycle = _cycle(edges)
    assert cycle is None, f"import cycle between {folder}/ scripts: " + " → ".join(cycle or ())


def test_the_check_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": set()}) is None
