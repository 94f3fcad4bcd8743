"""The byte codecs of the offline QR: a CBOR subset (RFC 8949) and base45 (RFC 9285).

Written here rather than taken from the cbor2 and base45 packages: the offline statement needs only
definite-length integers, byte and text strings, arrays, maps and tags (about sixty lines), neither
package is in requirements.lock, and a strict decoder that refuses everything else (floats,
indefinite lengths, simple values) is what a verifier of untrusted input wants. Swapping in cbor2
later changes nothing on the wire: the encoder writes the deterministic, shortest-form encoding
RFC 8949 section 4.2 describes (map keys are written in the caller's order, which the signer fixes).
"""

from dataclasses import dataclass
from typing import TypeAlias

B45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUE = {c: i for i, c in enumerate(B45_ALPHABET)}


class CodecError(ValueError):
    """The bytes or text are not what the offline QR format allows; the message says where."""


@dataclass(frozen=True)
class Tagged:
    """A CBOR tag (major type 6) around a value, e.g. tag 18 for COSE_Sign1."""

    tag: int
    value: "CborValue"


CborValue: TypeAlias = "int | bytes | str | list[CborValue] | dict[CborValue, CborValue] | Tagged"


def b45encode(data: bytes) -> str:
    """Base45 text of `data`: each two bytes as three characters, a last odd byte as two."""
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [B45_ALPHABET[n % 45], B45_ALPHABET[n // 45 % 45], B45_ALPHABET[n // 2025]]
    if len(data) % 2:
        out += [B45_ALPHABET[data[-1] % 45], B45_ALPHABET[data[-1] // 45]]
    return "".join(out)


def b45decode(text: str) -> bytes:
    """The bytes of base45 `text`; CodecError on a character outside the alphabet or a bad length."""
    try:
        values = [_B45_VALUE[c] for c in text]
    except KeyError as exc:
        raise CodecError(f"character {exc.args[0]!r} is not base45") from None
    if len(values) % 3 == 1:
        raise CodecError("base45 text has a stray last character")
    out = bytearray()
    for i in range(0, len(values), 3):
        chunk = values[i : i + 3]
        n = sum(v * 45**k for k, v in enumerate(chunk))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise CodecError("base45 triplet out of range")
            out += bytes((n >> 8, n & 0xFF))
        elif n > 0xFF:
            raise CodecError("base45 pair out of range")
        else:
            out.append(n)
    return bytes(out)


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise CodecError("integer too large for CBOR")


def cbor_dumps(value: CborValue) -> bytes:
    """The CBOR encoding of `value` (shortest-form heads, definite lengths)."""
    if isinstance(value, bool):
        raise CodecError("booleans are not part of the offline QR format")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(cbor_dumps(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(cbor_dumps(k) + cbor_dumps(v) for k, v in value.items())
    return _head(6, value.tag) + cbor_dumps(value.value)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise CodecError("CBOR data ends early")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def item(self, depth: int = 0) -> CborValue:
        if depth > 8:
            raise CodecError("CBOR nested too deeply")
        first = self.take(1)[0]
        major, ai = first >> 5, first & 0x1F
        if ai < 24:
            n = ai
        elif ai <= 27:
            n = int.from_bytes(self.take(1 << (ai - 24)), "big")
        else:
            raise CodecError("indefinite or reserved CBOR lengths are not allowed")
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2:
            return self.take(n)
        if major == 3:
            try:
                return self.take(n).decode("utf-8")
            except UnicodeDecodeError:
                raise CodecError("CBOR text is not UTF-8") from None
        if major == 4:
            return [self.item(depth + 1) for _ in range(n)]
        if major == 5:
            out: dict[CborValue, CborValue] = {}
            for _ in range(n):
                key = self.item(depth + 1)
                if not isinstance(key, int | str) or key in out:
                    raise CodecError("CBOR map key is not a unique integer or text")
                out[key] = self.item(depth + 1)
            return out
        if major == 6:
            return Tagged(n, self.item(depth + 1))
        raise CodecError("CBOR floats and simple values are not allowed")


def cbor_loads(data: bytes) -> CborValue:
    """The one CBOR item that is all of `data`; CodecError on anything else."""
    reader = _Reader(data)
    value = reader.item()
    if reader.pos != len(data):
        raise CodecError("bytes follow the CBOR item")
    return value
