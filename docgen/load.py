"""Session JSON -> models, collecting every problem with its file, row and field.

(The full input format, its JSON Schema and the Excel loader come with the input issue; this
loader reads the fields the certificate needs.)
"""

import datetime as dt
import json
import unicodedata
from pathlib import Path
from typing import Any

from docgen.errors import InputError
from docgen.models import Applicant, Approval, Committee, IdType, ReviewSession, Sitting, Vote
from docgen.rules import check_id, id_birth_and_sex, normalise_id, quorum_met

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_problem(code: str) -> str | None:
    """None if `code` is a valid GB 32100 unified social credit code, else what is expected.

    Hand-written: python-stdnum's `cn.uscc` requires digits in positions 1-8 and so rejects
    legitimate codes that start with a letter (DOMAIN.md §7.2).
    """
    if len(code) != 18 or any(c not in _CREDIT_ALPHABET for c in code):
        return "18 characters from 0-9 and A-Y without I, O, S, V, Z"
    total = sum(_CREDIT_ALPHABET.index(c) * w for c, w in zip(code, _CREDIT_WEIGHTS, strict=False))
    expected = _CREDIT_ALPHABET[(31 - total % 31) % 31]
    return None if code[17] == expected else f"check character should be {expected}"


class _Reader:
    """Walks the JSON document and records problems instead of stopping at the first."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.problems: list[str] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def text(self, obj: dict[str, Any], key: str, where: str, *, optional: bool = False) -> str:
        value = obj.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not optional:
                self.problem(f"{where}.{key}", "required text is missing")
            return ""
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", f"expected text, got {type(value).__name__}")
            return ""
        return clean_text(value)

    def integer(self, obj: dict[str, Any], key: str, where: str, *, minimum: int = 0) -> int:
        value = obj.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            self.problem(f"{where}.{key}", f"expected a whole number ≥ {minimum}, got {value!r}")
            return minimum
        return value

    def date(self, obj: dict[str, Any], key: str, where: str) -> dt.date:
        value = obj.get(key)
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(f"{where}.{key}", f"expected a date as YYYY-MM-DD, got {value!r}")
            return dt.date(1900, 1, 1)

    def section(self, doc: dict[str, Any], key: str) -> dict[str, Any]:
        value = doc.get(key)
        if not isinstance(value, dict):
            self.problem(key, "required section is missing (expected an object)")
            return {}
        return value


def clean_text(value: str) -> str:
    """NFC-normalised, control characters removed, whitespace runs folded to one space.

    docxtpl turns \\a and \\f into paragraph and page breaks even with autoescape
    (CONVERSION.md §1.1), so no control character may reach a template.
    """
    value = unicodedata.normalize("NFC", value)
    value = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in value)
    value = "".join(c for c in value if c not in "\ufffe\uffff")
    return " ".join(value.split())


def load_session(path: Path) -> ReviewSession:
    """Read a session JSON file. Raises InputError listing every problem found."""
    reader = _Reader(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError([f"{path}: file not found"]) from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError([f"{path}: not valid UTF-8 JSON ({e})"]) from e
    if not isinstance(doc, dict):
        raise InputError([f"{path}: expected a JSON object at the top level"])

    c = reader.section(doc, "committee")
    committee = Committee(
        name=reader.text(c, "name", "committee"),
        series=reader.text(c, "series", "committee"),
        members=reader.integer(c, "members", "committee", minimum=1),
    )
    s = reader.section(doc, "sitting")
    sitting = Sitting(
        reader.date(s, "start", "sitting"),
        reader.date(s, "end", "sitting"),
        reader.integer(s, "present", "sitting", minimum=1),
    )
    if sitting.present > committee.members:
        reader.problem(
            "sitting.present", f"{sitting.present} attending exceeds the {committee.members} members"
        )
    elif not quorum_met(members=committee.members, present=sitting.present):
        reader.problem(
            "sitting.present",
            f"quorum not met: {sitting.present} of {committee.members} members attended, at least 2/3 must",
        )
    a = reader.section(doc, "approval")
    approval = Approval(
        authority=reader.text(a, "authority", "approval"),
        authority_credit_code=reader.text(a, "authority_credit_code", "approval"),
        document_no=reader.text(a, "document_no", "approval"),
        date=reader.date(a, "date", "approval"),
    )
    if approval.authority_credit_code and (p := credit_code_problem(approval.authority_credit_code)):
        reader.problem("approval.authority_credit_code", p)

    raw_applicants = doc.get("applicants")
    applicants: list[Applicant] = []
    if not isinstance(raw_applicants, list) or not raw_applicants:
        reader.problem("applicants", "expected a non-empty list of applicants")
        raw_applicants = []
    for row, item in enumerate(raw_applicants):
        applicant = _applicant(reader, path, row, item, sitting.present)
        if applicant:
            applicants.append(applicant)
    if reader.problems:
        raise InputError(reader.problems)
    return ReviewSession(path, committee, sitting, approval, tuple(applicants))


def _applicant(reader: _Reader, path: Path, row: int, item: object, present: int) -> Applicant | None:
    where = f"applicants[{row}]"
    if not isinstance(item, dict):
        reader.problem(where, "expected an object")
        return None
    name = reader.text(item, "name", where)
    where = f"applicants[{row}] ({name})" if name else where
    raw_type = reader.text(item, "id_type", where)
    try:
        id_type = IdType(raw_type)
    except ValueError:
        reader.problem(f"{where}.id_type", f"expected one of {', '.join(t.value for t in IdType)}")
        id_type = IdType.PASSPORT
    id_number = normalise_id(reader.text(item, "id_number", where))
    if id_number and (p := check_id(id_type, id_number)):
        reader.problem(f"{where}.id_number", p)
    sex = reader.text(item, "sex", where)
    if sex and sex not in ("男", "女"):
        reader.problem(f"{where}.sex", f"expected 男 or 女, got {sex!r}")
    birth = reader.date(item, "birth_date", where)
    encoded = id_birth_and_sex(id_type, id_number) if id_number and not check_id(id_type, id_number) else None
    if encoded and encoded[0] != birth:
        reader.problem(f"{where}.birth_date", f"{birth} disagrees with the ID number ({encoded[0]})")
    if encoded and sex and encoded[1] != sex:
        reader.problem(f"{where}.sex", f"{sex} disagrees with the ID number ({encoded[1]})")
    raw_vote = item.get("vote")
    v: dict[str, Any] = raw_vote if isinstance(raw_vote, dict) else {}
    if not v:
        reader.problem(f"{where}.vote", "required section is missing (agree, disagree, abstain)")
    vote = Vote(*(reader.integer(v, k, f"{where}.vote") for k in ("agree", "disagree", "abstain")))
    if v and vote.agree + vote.disagree + vote.abstain > present:
        reader.problem(
            f"{where}.vote",
            f"{vote.agree + vote.disagree + vote.abstain} votes cast but only {present} members attended",
        )
    photo = None
    if raw_photo := reader.text(item, "photo", where, optional=True):
        photo = (path.parent / raw_photo).resolve()
        if not photo.is_file():
            reader.problem(f"{where}.photo", f"file {photo} not found")
            photo = None
    return Applicant(
        row=row,
        name=name,
        sex=sex,
        birth_date=birth,
        id_type=id_type,
        id_number=id_number,
        employer=reader.text(item, "employer", where),
        speciality=reader.text(item, "speciality", where),
        title=reader.text(item, "title", where),
        level=reader.text(item, "level", where),
        vote=vote,
        photo=photo,
    )
