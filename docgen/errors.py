"""Errors of the document generator; messages name the file, row and field."""

from collections.abc import Sequence


class DocgenError(Exception):
    """A document could not be produced."""


class InputError(DocgenError):
    """The session input has mistakes; `problems` lists every one, each naming file, row and field.
    `warnings` are shown alongside but would not have blocked."""

    what = "the session input"
    """What has the problems, as the command line names it."""
    consequence = "nothing was issued"

    def __init__(self, problems: Sequence[str], warnings: Sequence[str] = ()) -> None:
        self.problems = list(problems)
        self.warnings = list(warnings)
        super().__init__("\n".join(self.problems))


class ConversionError(DocgenError):
    """LibreOffice did not produce a usable PDF."""


class CalendarError(DocgenError):
    """A date falls in a year the working-day calendar does not know."""


class LegacyInputError(InputError):
    """A list of titles awarded on paper has mistakes (docgen.legacy): nothing of it is imported."""

    what = "the file"
    consequence = "nothing was imported"
