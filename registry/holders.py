"""What the registry keeps of a holder's ID number: a keyed hash, never the number itself.

Issuing stores `holder_id_hmac` of the full number; the public match check computes the same hash
of what an employer typed and compares. ID numbers are guessable (a region, a birth date, a
sequence), so the hash is keyed with the instance secret, which never leaves the server. The same
keyed hash, under a domain of its own, stands for a person's name, sex and birth date
(`holder_person_hmac`: the same person under another ID document, docs/data.md).
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
import unicodedata

_DOMAIN = b"titlecert holder-id v1\x00"
"""Separates these hashes from every other use of the instance secret (e.g. issue keys)."""
_PERSON_DOMAIN = b"titlecert holder-person v1\x00"
"""Separates a person's (name, sex, birth date) hash from ID-number hashes."""
_NAME_DOMAIN = b"titlecert holder-name v1\x00"
"""Separates a name's hash (legacy paper titles keep no name in clear) from the others."""
_DOTS = str.maketrans({"・": "·", "‧": "·", "•": "·", "･": "·", "∙": "·", "⋅": "·"})
"""Middle dots of names such as 阿依古丽·买买提, as different input methods type them."""


def new_holder_secret() -> str:
    """A holder secret (opens `/h/<secret>`): 192 random bits, URL-safe (32 characters), stored only
    as its SHA-256. Made at issue, and again when the holder replaces a leaked link."""
    return secrets.token_urlsafe(24)


def normalise_name(name: str) -> str:
    """The form names compare in: NFKC, without any whitespace, every middle dot as U+00B7."""
    return "".join(unicodedata.normalize("NFKC", name).translate(_DOTS).split())


def normalise_id_number(number: str) -> str:
    """The form both sides hash: NFKC (full-width digits and letters typed with a Chinese input
    method become ASCII), without whitespace, hyphens or brackets, upper case (the check
    character X, passport letters). The same cleaning the session loader applies."""
    return re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", number)).upper()


def holder_id_hmac(secret: bytes, number: str) -> str:
    """HMAC-SHA256 (hex) of the normalised ID number under the instance secret."""
    return _keyed(secret, _DOMAIN, normalise_id_number(number))


def holder_person_hmac(secret: bytes, name: str, sex: str, birth: dt.date) -> str:
    """HMAC-SHA256 (hex) of a person's name (NFKC, without whitespace), sex and birth date under
    the instance secret: what two ID documents of one person have in common. Not proof of one
    person: namesakes born on the same day exist."""
    folded = re.sub(r"\s", "", unicodedata.normalize("NFKC", name))
    return _keyed(secret, _PERSON_DOMAIN, f"{folded}\x00{sex}\x00{birth.isoformat()}")


def _keyed(secret: bytes, domain: bytes, value: str) -> str:
    return hmac.new(secret, domain + value.encode("utf-8"), hashlib.sha256).hexdigest()


def holder_name_hmac(secret: bytes, name: str) -> str:
    """HMAC-SHA256 (hex) of the normalised name under the instance secret: a legacy (paper) title's
    holder, matched without the registry holding the name."""
    return _keyed(secret, _NAME_DOMAIN, normalise_name(name))


def same_holder_name(secret: bytes, name: str, stored_hmac: str) -> bool:
    """Whether `name` is the name whose keyed hash is `stored_hmac`, compared in constant time."""
    return hmac.compare_digest(holder_name_hmac(secret, name), stored_hmac.lower())


def same_holder_id(secret: bytes, number: str, stored_hmac: str) -> bool:
    """Whether `number` is the ID whose keyed hash is `stored_hmac`, compared in constant time."""
    return hmac.compare_digest(holder_id_hmac(secret, number), stored_hmac.lower())
