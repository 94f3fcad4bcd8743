"""Identity documents and organisations: ID types, check characters, address and credit codes."""

import datetime as dt
import re
from enum import StrEnum


class IdType(StrEnum):
    """ID document types the notice accepts (docs/domain.md, "ID documents the notice accepts")."""

    RESIDENT_ID = "resident_id"
    HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
    HM_HOME_VISIT_PERMIT = "hm_home_visit_permit"
    TAIWAN_COMPATRIOT_PERMIT = "taiwan_compatriot_permit"
    FOREIGN_PERMANENT_RESIDENT_2023 = "foreign_permanent_resident_2023"
    FOREIGN_PERMANENT_RESIDENT_2017 = "foreign_permanent_resident_2017"
    OVERSEAS_TALENT_RESIDENCE = "overseas_talent_residence"
    """海外高层次人才居住证 (the notice, item 一(四)): issued by each locality to its own numbering."""
    PASSPORT = "passport"


ID_TYPE_LABELS: dict[IdType, str] = {
    IdType.RESIDENT_ID: "居民身份证",
    IdType.HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
    IdType.HM_HOME_VISIT_PERMIT: "港澳居民来往内地通行证",
    IdType.TAIWAN_COMPATRIOT_PERMIT: "台湾居民来往大陆通行证",
    IdType.FOREIGN_PERMANENT_RESIDENT_2023: "外国人永久居留身份证（2023版）",
    IdType.FOREIGN_PERMANENT_RESIDENT_2017: "外国人永久居留身份证（2017版）",
    IdType.OVERSEAS_TALENT_RESIDENCE: "海外高层次人才居住证",
    IdType.PASSPORT: "护照",
}

_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB11643_CHECK = "10X98765432"
_GB11643_TYPES = (IdType.RESIDENT_ID, IdType.HMT_RESIDENCE_PERMIT, IdType.FOREIGN_PERMANENT_RESIDENT_2023)

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
    ]
)
CHONGQING_DISTRICTS: dict[str, str] = {
    "500101": "万州区",
    "500102": "涪陵区",
    "500103": "渝中区",
    "500104": "大渡口区",
    "500105": "江北区",
    "500106": "沙坪坝区",
    "500107": "九龙坡区",
    "500108": "南岸区",
    "500109": "北碚区",
    "500110": "綦江区",
    "500111": "大足区",
    "500112": "渝北区",
    "500113": "巴南区",
    "500114": "黔江区",
    "500115": "长寿区",
    "500116": "江津区",
    "500117": "合川区",
    "500118": "永川区",
    "500119": "南川区",
    "500120": "璧山区",
    "500151": "铜梁区",
    "500152": "潼南区",
    "500153": "荣昌区",
    "500154": "开州区",
    "500155": "梁平区",
    "500156": "武隆区",
    "500229": "城口县",
    "500230": "丰都县",
    "500231": "垫江县",
    "500233": "忠县",
    "500235": "云阳县",
    "500236": "奉节县",
    "500237": "巫山县",
    "500238": "巫溪县",
    "500240": "石柱土家族自治县",
    "500241": "秀山土家族苗族自治县",
    "500242": "酉阳土家族苗族自治县",
    "500243": "彭水苗族土家族自治县",
}
"""Current Chongqing district and county codes (GB/T 2260). Older codes exist on older IDs, so an
unknown code is a warning, never an error."""


def gb11643_check_char(first17: str) -> str:
    """The MOD 11-2 check character of an 18-character resident ID.

    Hand-written on purpose: python-stdnum's `cn.ric.validate` also checks that the address code
    existed in the birth year and so rejects genuine Chongqing IDs of people born before 1997
    and HK/Macau/Taiwan permits (docs/domain.md, "Resident ID and residence permits (GB 11643-1999)").
    """
    total = sum(int(d) * w for d, w in zip(first17, _GB11643_WEIGHTS, strict=True))
    return _GB11643_CHECK[total % 11]


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character of a unified social credit code.

    Hand-written: python-stdnum's `cn.uscc` requires digits in positions 1-8 and so rejects
    legitimate codes that start with a letter (docs/domain.md, "Unified social credit codes (GB
    32100-2015)").
    """
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None if `code` is a valid unified social credit code, else what is expected and found."""
    if len(code) != 18 or any(c not in CREDIT_ALPHABET for c in code):
        return f"expected 18 characters from 0-9 and A-Y without I, O, S, V, Z, found {code!r}"
    expected = credit_check_char(code[:17])
    return None if code[17] == expected else f"check character should be {expected!r}, found {code[17]!r}"


def check_id(id_type: IdType, number: str) -> str | None:
    """None if `number` is well-formed for `id_type`, else what is expected and what was found."""
    if id_type in _GB11643_TYPES:
        if not re.fullmatch(r"\d{17}[\dX]", number):
            return f"expected 18 characters: 17 digits and a check character (digit or X), found {number!r}"
        expected = gb11643_check_char(number[:17])
        if expected != number[17]:
            return f"check character should be {expected!r}, found {number[17]!r}"
        if id_type is IdType.HMT_RESIDENCE_PERMIT and number[:2] not in ("81", "82", "83"):
            return f"a residence permit number starts with 81, 82 or 83, found {number[:2]!r}"
        if id_type is IdType.FOREIGN_PERMANENT_RESIDENT_2023 and number[0] != "9":
            return f"a 2023 permanent-resident ID starts with 9, found {number[0]!r}"
        if id_type is IdType.RESIDENT_ID and number[0] in "09":
            return f"a resident ID starts with 1-8, found {number[0]!r}"
        try:
            dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return f"digits 7-14 must be a real birth date, found {number[6:14]!r}"
        return None
    patterns = {
        IdType.HM_HOME_VISIT_PERMIT: (r"[HM](\d{8}|\d{10})|[HM][A-Z]\d{6,7}", "H or M and 8 or 10 digits"),
        IdType.TAIWAN_COMPATRIOT_PERMIT: (r"(?![A-Z]+$)[0-9A-Z]{6,10}", "8 digits (older: 6-10 characters)"),
        IdType.FOREIGN_PERMANENT_RESIDENT_2017: (r"[A-Z]{3}\d{12}", "3 letters and 12 digits"),
        # No published national layout or checksum (each locality numbers its own): only plausible
        # characters and length, with a digit, so a name typed into the cell is caught.
        IdType.OVERSEAS_TALENT_RESIDENCE: (r"(?=.*\d)[0-9A-Z]{6,20}", "6-20 letters or digits, with a digit"),
        IdType.PASSPORT: (r"[0-9A-Z]{5,20}", "5-20 letters or digits"),
    }
    pattern, expected_form = patterns[id_type]
    return None if re.fullmatch(pattern, number) else f"expected {expected_form}, found {number!r}"


def id_birth_and_sex(id_type: IdType, number: str) -> tuple[dt.date, str] | None:
    """Birth date and sex (男/女) encoded in a valid GB 11643-style number, else None."""
    if id_type not in _GB11643_TYPES or check_id(id_type, number):
        return None
    birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return birth, ("男" if int(number[16]) % 2 else "女")


def address_code_warning(id_type: IdType, number: str) -> str | None:
    """A warning when a resident ID's address code is not a known one (old codes exist)."""
    if id_type is not IdType.RESIDENT_ID or check_id(id_type, number):
        return None
    if number[:2] not in PROVINCE_CODES:
        return f"address code {number[:6]} names no province"
    if number[:2] == "50" and number[:6] not in CHONGQING_DISTRICTS:
        return f"address code {number[:6]} is not a current Chongqing district or county"
    return None
