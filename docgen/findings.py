"""A finding: one problem in a session, with the path of the value it is about (as in the JSON
document), so the loader can name the sheet or JSON path, the row and the field."""

from dataclasses import dataclass
from enum import StrEnum

Path = tuple[str | int, ...]


class Severity(StrEnum):
    ERROR = "error"
    """Blocks issuing."""
    WARNING = "warning"
    """Shown, does not block."""


@dataclass(frozen=True)
class Finding:
    """One problem found in a session."""

    path: Path
    """Where, as a JSON path: ("applicants", 6, "id_number")."""
    message: str
    """What was found and what is expected."""
    severity: Severity = Severity.ERROR


class Findings(list[Finding]):
    """The findings of one check, in the order found."""

    def error(self, path: Path, message: str) -> None:
        self.append(Finding(path, message))

    def warn(self, path: Path, message: str) -> None:
        self.append(Finding(path, message, Severity.WARNING))
