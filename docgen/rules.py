"""The notice's checks: ID check characters, vote quorum and the pass rule."""

import datetime as dt
import re

from docgen.models import IdType

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"


def gb11643_check_char(first17: str) -> str:
    """The MOD 11-2 check character of an 18-character resident ID.

    Hand-written on purpose: python-stdnum's `cn.ric.validate` also checks that the address code
    existed in the birth year and so rejects genuine Chongqing IDs of people born before 1997
    and HK/Macau/Taiwan permits (DOMAIN.md §7.1).
    """
    total = sum(int(d) * w for d, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return _GB11643_CHECK[total % 11]


def normalise_id(number: str) -> str:
    """Upper-case, without spaces, hyphens or parentheses."""
    return re.sub(r"[\s\-()（）]", "", number).upper()


def check_id(id_type: IdType, number: str) -> str | None:
    """None if `number` is well-formed for `id_type`, else what is expected."""
    if id_type in (IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT, IdType.FOREIGN_PERMANENT_RESIDENT_2023):
        if not re.fullmatch(r"\d{17}[\dX]", number):
            return "18 characters: 17 digits and a check character (digit or X)"
        if gb11643_check_char(number[:17]) != number[17]:
            return f"check character should be {gb11643_check_char(number[:17])}"
        if id_type is IdType.HMT_RESIDENCE_PERMIT and number[:2] not in ("81", "82", "83"):
            return "a residence permit number starts with 81, 82 or 83"
        if id_type is IdType.FOREIGN_PERMANENT_RESIDENT_2023 and number[0] != "9":
            return "a 2023 permanent-resident ID starts with 9"
        if id_type is IdType.RESIDENT_ID and number[0] in "09":
            return "a resident ID starts with 1-8"
        try:
            dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return "digits 7-14 must be a real birth date"
        return None
    patterns = {
        IdType.HM_HOME_VISIT_PERMIT: (r"[HM](\d{8}|\d{10})|[HM][A-Z]\d{6,7}", "H or M and 8 or 10 digits"),
        IdType.TAIWAN_COMPATRIOT_PERMIT: (r"(?![A-Z]+$)[0-9A-Z]{6,10}", "8 digits (older: 6-10 characters)"),
        IdType.FOREIGN_PERMANENT_RESIDENT_2017: (r"[A-Z]{3}\d{12}", "3 letters and 12 digits"),
        IdType.PASSPORT: (r"[0-9A-Z]{5,20}", "5-20 letters or digits"),
    }
    pattern, expected = patterns[id_type]
    return None if re.fullmatch(pattern, number) else expected


def id_birth_and_sex(id_type: IdType, number: str) -> tuple[dt.date, str] | None:
    """Birth date and sex encoded in an 18-character GB 11643-style number, else None."""
    if id_type not in (
        IdType.RESIDENT_ID,
        IdType.HMT_RESIDENCE_PERMIT,
        IdType.FOREIGN_PERMANENT_RESIDENT_2023,
    ):
        return None
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return birth, ("男" if int(number[16]) % 2 else "女")


def quorum_met(*, members: int, present: int) -> bool:
    """Attending experts are at least 2/3 of the membership (integer arithmetic)."""
    return 3 * present >= 2 * members


def vote_passes(*, agree: int, present: int) -> bool:
    """Agreeing votes are at least 2/3 of the attending experts."""
    return 3 * agree >= 2 * present


def mask_id(number: str) -> str:
    """First 6 and last 4 characters shown, the rest starred (short numbers keep only the last 2)."""
    if len(number) <= 10:
        return "*" * (len(number) - 2) + number[-2:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]

