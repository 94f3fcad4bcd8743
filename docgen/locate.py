"""Naming where a value sits in the input: JSON path or sheet, row and column header."""

from typing import Any, Protocol

Path = tuple[str | int, ...]


class Locator(Protocol):
    def describe(self, path: Path) -> str:
        """A human description of `path`, e.g. `applicants row 7 (张三), id_number`."""
        ...


def _dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class JsonLocator:
    """Rows are 1-based positions in a JSON list; names come from the document."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc

    def describe(self, path: Path) -> str:
        if len(path) >= 2 and path[0] == "applicants" and isinstance(path[1], int):
            row = path[1]
            name = ""
            try:
                raw = self.doc["applicants"][row].get("name")
                name = f" ({raw})" if isinstance(raw, str) and raw else ""
            except (KeyError, IndexError, TypeError, AttributeError):
                pass
            rest = _dotted(path[2:])
            return f"applicants row {row + 1}{name}" + (f", {rest}" if rest else "")
        return _dotted(path) or "the session"


class SheetLocator:
    """Paths recorded while reading a workbook, mapped to (sheet, row, header)."""

    def __init__(self) -> None:
        self.cells: dict[Path, tuple[str, int, str]] = {}
        self.rows: dict[Path, tuple[str, int, str]] = {}
        """Record paths (an applicant, an achievement) -> (sheet, row, person's name)."""
        self.sheets: dict[Path, str] = {}
        """Whole tables (the applicants) -> their sheet."""

    def describe(self, path: Path) -> str:
        for n in range(len(path), 0, -1):
            prefix = path[:n]
            if prefix in self.cells:
                sheet, row, header = self.cells[prefix]
                name = self._name(path)
                return f"sheet {sheet} row {row}{name}, {header}"
            if prefix in self.rows:
                sheet, row, _ = self.rows[prefix]
                rest = _dotted(path[n:])
                return f"sheet {sheet} row {row}{self._name(path)}" + (f", {rest}" if rest else "")
            if prefix in self.sheets:
                rest = _dotted(path[n:])
                return f"sheet {self.sheets[prefix]}" + (f", {rest}" if rest else "")
        return _dotted(path) or "the workbook"

    def _name(self, path: Path) -> str:
        if len(path) >= 2 and ("applicants", path[1]) in self.rows:
            name = self.rows[("applicants", path[1])][2]
            return f" ({name})" if name else ""
        return ""
