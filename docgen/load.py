"""Session files (JSON or Excel) -> a validated ReviewSession, or every problem at once.

Both formats become the same JSON-shaped document, validated by the pydantic models (which also
publish the JSON Schema) and then by the notice's rules (docgen.check). Problems name the file,
the sheet or JSON path, the row and the field, and say what was found and what is expected.
"""

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from docgen.check import Finding, Severity, check_glyphs, check_session
from docgen.errors import InputError
from docgen.locate import JsonLocator, Locator
from docgen.models import RULE_ERROR, LoadedSession, ReviewSession
from docgen.photos import photo_problem
from docgen.workdays import WorkCalendar


def read_document(path: Path) -> tuple[Any, Locator, list[Finding]]:
    """The raw document, how to name its places, and problems found while reading it."""
    if path.suffix.lower() == ".xlsx":
        from docgen.xlsx import read_workbook  # openpyxl is imported only for workbooks

        return read_workbook(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError([f"{path}: file not found"]) from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError([f"{path}: not valid UTF-8 JSON ({e})"]) from e
    if not isinstance(doc, dict):
        raise InputError([f"{path}: expected a JSON object at the top level"])
    return doc, JsonLocator(doc), []


def load_session(
    path: Path, calendar: WorkCalendar | None = None, *, fonts_conf: Path | None = None
) -> LoadedSession:
    """Read and check a session file. Raises InputError listing every problem (and the warnings).

    With `fonts_conf`, every character must also be printable by an installed font.
    """
    calendar = calendar or WorkCalendar()
    doc, locator, findings = read_document(path)
    # A value the reader already complained about is not reported again by the model.
    reported = {locator.describe(f.path) for f in findings}
    session: ReviewSession | None = None
    try:
        session = ReviewSession.model_validate(doc)
    except ValidationError as e:
        model_findings = _pydantic_findings(e)
        findings += [f for f in model_findings if locator.describe(f.path) not in reported]
        findings += _rules_without_broken_applicants(doc, model_findings, calendar)
    if session is not None:
        findings += check_session(session, calendar)
        findings += _photo_findings(path, session)
        if fonts_conf is not None:
            findings += check_glyphs(session, fonts_conf)
    errors, warnings = _described(path, locator, findings)
    if errors or session is None:
        raise InputError(errors, warnings)
    return LoadedSession(source=path, session=session, warnings=tuple(warnings))


def describe_findings(path: Path, findings: list[Finding]) -> tuple[list[str], list[str]]:
    """Findings of a check made after loading (e.g. against the registry) as the loader words its
    own: errors and warnings, each naming the file, the sheet or JSON path, the row and the field."""
    if not findings:
        return [], []
    _, locator, _ = read_document(path)
    return _described(path, locator, findings)


def _described(path: Path, locator: Locator, findings: list[Finding]) -> tuple[list[str], list[str]]:
    findings = sorted(findings, key=_document_order)
    errors = [
        f"{path}: {locator.describe(f.path)}: {f.message}" for f in findings if f.severity is Severity.ERROR
    ]
    warnings = [
        f"{path}: {locator.describe(f.path)}: {f.message}" for f in findings if f.severity is Severity.WARNING
    ]
    return errors, warnings


_SECTIONS = (
    "committee",
    "sitting",
    "approval",
    "cutoff",
    "results_publicity",
    "report_submitted_on",
    "applicants",
)


def _document_order(f: Finding) -> tuple[int, int]:
    """Problems are listed in the order of the document: session first, then applicants by row."""
    head = f.path[0] if f.path else ""
    rank = _SECTIONS.index(head) if isinstance(head, str) and head in _SECTIONS else -1
    row = f.path[1] if head == "applicants" and len(f.path) > 1 and isinstance(f.path[1], int) else -1
    return rank, row


def _rules_without_broken_applicants(
    doc: Any, model_findings: list[Finding], calendar: WorkCalendar
) -> list[Finding]:
    """So that every problem is reported at once: when only some applicants fail the model, check
    the notice's rules on the session without them (paths mapped back to the original rows)."""
    if any(f.path[:1] != ("applicants",) or len(f.path) < 2 for f in model_findings):
        return []  # the session itself is broken: its rules cannot be judged yet
    broken = {f.path[1] for f in model_findings}
    kept = [i for i in range(len(doc.get("applicants", []))) if i not in broken]
    if not kept:
        return []
    try:
        partial = ReviewSession.model_validate({**doc, "applicants": [doc["applicants"][i] for i in kept]})
    except ValidationError:
        return []
    remapped = []
    for f in check_session(partial, calendar):
        if f.path[:1] == ("applicants",) and len(f.path) > 1 and isinstance(f.path[1], int):
            f = Finding(("applicants", kept[f.path[1]], *f.path[2:]), f.message, f.severity)
        if "same person appears in applicants row" not in f.message:  # row numbers shifted
            remapped.append(f)
    return remapped


def photo_path(source: Path, photo: str) -> Path | None:
    """The photo file of an applicant, relative to the session file."""
    return (source.parent / photo).resolve() if photo else None


def _photo_findings(source: Path, session: ReviewSession) -> list[Finding]:
    out = []
    for i, a in enumerate(session.applicants):
        photo = photo_path(source, a.photo)
        if photo is not None and not photo.is_file():
            out.append(
                Finding(("applicants", i, "photo"), f"expected an image file, found no file at {photo}")
            )
        elif photo is not None and (problem := photo_problem(photo)):
            out.append(Finding(("applicants", i, "photo"), f"{a.photo}: {problem}"))
        elif photo is None:
            out.append(
                Finding(
                    ("applicants", i, "photo"),
                    "no photo: the certificate shows an empty photo box",
                    Severity.WARNING,
                )
            )
    return out


def _pydantic_findings(error: ValidationError) -> list[Finding]:
    out = []
    for e in error.errors(include_url=False):
        path = tuple(p for p in e["loc"] if isinstance(p, str | int))
        if e["type"] == RULE_ERROR:
            message = str(e.get("ctx", {}).get("message", e["msg"]))
        elif e["type"] == "too_short":
            ctx = e.get("ctx", {})
            message = (
                f"at least {ctx.get('min_length', 1)} entry expected, found {ctx.get('actual_length', 0)}"
            )
        elif e["type"] == "missing":
            message = "required value is missing"
        elif e["type"] == "extra_forbidden":
            message = f"unknown field (check the spelling), found {e['input']!r}"
        else:
            found = e.get("input")
            shown = (
                found
                if isinstance(found, str | int | float | bool) or found is None
                else type(found).__name__
            )
            message = f"{e['msg'][0].lower()}{e['msg'][1:]}, found {shown!r}"
        out.append(Finding(path, message))
    return out
