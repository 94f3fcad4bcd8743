"""The match check: does what an employer knows (full name, ID number) belong to the holder?

The answer is yes or no, never the stored value. Names are compared as stored; ID numbers only as
keyed hashes (registry.holders), since the registry never holds them. Both compare in constant time.
"""

import hmac
from dataclasses import dataclass

from registry.db import Registry
from registry.holders import normalise_name, same_holder_id
from verify.certificates import TOKEN_PATTERN
from verify.errors import MatchUnavailable


@dataclass(frozen=True)
class MatchQuery:
    """What the employer typed; at least one of the two."""

    name: str | None = None
    """The holder's full name."""
    id_number: str | None = None
    """The holder's full ID number."""


def match_holder(registry: Registry, token: str, query: MatchQuery, *, id_key: bytes | None) -> bool | None:
    """True when every value given matches the holder of the certificate `token` names; None alike
    for unknown and malformed tokens. `id_key` is the instance secret keying ID hashes.

    Raises MatchUnavailable when an ID number is given but the certificate has no keyed hash of
    its holder's (issued before they were kept), or no key is configured.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    with registry.transaction() as ledger:
        record = ledger.certificates.by_token(token)
        if record is None:
            return None
        stored_name, stored_id = record.holder_name, record.holder_id_hmac
    results = []
    if query.id_number is not None:
        if stored_id is None or id_key is None:
            raise MatchUnavailable(
                "the ID number check is not available for this certificate: it was issued before "
                "ID numbers were kept for matching; check the name, or upload the PDF"
            )
        results.append(same_holder_id(id_key, query.id_number, stored_id))
    if query.name is not None:
        given = normalise_name(query.name).encode("utf-8")
        results.append(hmac.compare_digest(given, normalise_name(stored_name).encode("utf-8")))
    return bool(results) and all(results)
