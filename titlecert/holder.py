"""The holder's secret: handed to the holder with their certificate, it opens their page
(`/h/<secret>`: the certificate and every verification of it). Stored only as its SHA-256; made by
registry.holders.new_holder_secret, at issue here and when the holder replaces a leaked link."""

from registry.holders import new_holder_secret
from registry.repository import hash_token


def holder_secret_hash(secret: str) -> str:
    """What the registry keeps of a holder secret."""
    return hash_token(secret)


__all__ = ["holder_secret_hash", "new_holder_secret"]
