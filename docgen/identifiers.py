"""Certificate numbers, QR tokens and the national e-licence identifier (GB/T 36904)."""

import base64
import secrets

from stdnum.iso7064 import mod_37_36

LICENCE_ROOT = "1.2.156.3005.2"


def new_token() -> str:
    """A QR capability token: 160 random bits as upper-case base32 (32 characters).

    Upper case keeps the QR in alphanumeric mode (docs/verification-threats.md, "Tokens in the QR
    code"); 160 bits clear the ≥128-bit floor with base32's 5-bit alignment.
    """
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def licence_identifier(*, type_code: str, issuer_code: str, serial: str, version: str = "001") -> str:
    """`1.2.156.3005.2.<type>.<issuer>.<serial>.<version>.<check>` with the MOD 37,36 check character.

    Raises ValueError if a part contains characters outside 0-9 and A-Z.
    """
    body = f"{type_code}{issuer_code}{serial}{version}".upper()
    if not body.isalnum() or not body.isascii():
        raise ValueError(f"e-licence identifier parts must be letters and digits: {body!r}")
    check = mod_37_36.calc_check_digit(body)
    return ".".join((LICENCE_ROOT, type_code, issuer_code, serial, version, check))


def certificate_number(fmt: str, *, year: int, seq: int) -> str:
    """Format a certificate number, e.g. `CQZC{year}{seq:06d}` → CQZC2026000001.

    Raises ValueError if the format uses other fields.
    """
    try:
        return fmt.format(year=year, seq=seq)
    except (KeyError, IndexError) as e:
        raise ValueError(f"certificate number format {fmt!r} may use only {{year}} and {{seq}}") from e


def grouped_token(token: str) -> str:
    """A token as the certificate prints it for typing (在线验证码): 8 groups of 4 joined by
    hyphens, `ABCD-EFGH-…`. verify.typed reads it back, however it is typed."""
    return "-".join(token[i : i + 4] for i in range(0, len(token), 4))
