"""The holder's secret: handed to the holder with their certificate, it opens their page
(`/h/<secret>`: the certificate and every verification of it). Stored only as its SHA-256."""

import secrets

from registry.repository import hash_token


def new_holder_secret() -> str:
    """192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


def holder_secret_hash(secret: str) -> str:
    """What the registry keeps of a holder secret."""
    return hash_token(secret)


__all__ = ["holder_secret_hash", "new_holder_secret"]
