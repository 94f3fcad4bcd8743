"""Registered certificates as the public sees them, and looking one up by its QR token."""

from registry.db import Registry
from registry.lifecycle import current
from verify.registered import CertificateView
from verify.typed import TOKEN_PATTERN


def lookup_token(registry: Registry, token: str) -> CertificateView | None:
    """The certificate a QR token names; None alike for unknown and malformed tokens."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    record = registry.public_by_token(token)
    return CertificateView.of(record) if record else None


def lookup_number(registry: Registry, certificate_no: str) -> CertificateView | None:
    """The public view of the certificate numbered `certificate_no` (None: no such certificate)."""
    with registry.transaction() as ledger:
        record = ledger.certificates.by_number(certificate_no)
        return CertificateView.of(record) if record else None


def lookup_successor(registry: Registry, token: str) -> CertificateView | None:
    """The certificate in force in place of the superseded one `token` names (at the end of its
    chain of re-issues); None when the token names no certificate, or one not superseded. The old
    token opens the new certificate's public view only: tokens are stored hashed, so the new one
    is not known."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    with registry.transaction() as ledger:
        record = ledger.certificates.by_token(token)
        if record is None or not record.superseded_by:
            return None
        successor = current(ledger.certificates, record)
        return CertificateView.of(successor) if successor is not record else None


__all__ = ["TOKEN_PATTERN", "lookup_number", "lookup_successor", "lookup_token"]
