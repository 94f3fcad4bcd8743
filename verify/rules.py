"""The catalogue of verification rules: one id per rule, as findings and docs/verification.md name them.

Families: `admit` (can the file be judged at all), `accept` (R-ACCEPT: the expected seals, intact,
trusted, unchanged after them), `longterm` (document time stamps: evidence as of a moment),
`audit` (R-AUDIT: the byte-level revision audit), `registry` (the binding to what was issued),
`online` (the seal certificates' revocation asked of the issuer's OCSP responder, else looked up
in its CRL, verify.revocation), `receipt` (the site's own verification receipts: what a receipt
states, verify.statement), `annotation` (a holder's annotated copy, verify.holder_copies).
"""

from enum import StrEnum


class RuleId(StrEnum):
    """Every rule a finding can name (tests/unit/verify/test_rules.py keeps docs/verification.md equal)."""

    ADMIT_BYTES = "admit.bytes"
    ADMIT_PARSE = "admit.parse"
    ADMIT_ENCRYPTED = "admit.encrypted"
    ADMIT_REVISIONS = "admit.revisions"
    ADMIT_LIMITS = "admit.limits"
    ACCEPT_SEALED_BEFORE_MOMENT = "accept.sealed-before-moment"
    ACCEPT_KNOWN_ISSUER = "accept.known-issuer"
    ACCEPT_SEAL_COUNT = "accept.seal-count"
    ACCEPT_SEAL_INTACT = "accept.seal-intact"
    ACCEPT_SEAL_NOT_REVOKED = "accept.seal-not-revoked"
    ACCEPT_SEAL_CERTIFICATE_CURRENT = "accept.seal-certificate-current"
    ACCEPT_SEAL_REVOCATION_KNOWN = "accept.seal-revocation-known"
    ACCEPT_SEAL_TRUSTED = "accept.seal-trusted"
    ACCEPT_SEAL_TIMESTAMP_CURRENT = "accept.seal-timestamp-current"
    ACCEPT_SEAL_TIMESTAMP_TRUSTED = "accept.seal-timestamp-trusted"
    ACCEPT_SEAL_COVERS_REVISION = "accept.seal-covers-revision"
    ACCEPT_SEAL_PASSES = "accept.seal-passes"
    ACCEPT_SEAL_ROLE = "accept.seal-role"
    ACCEPT_SEAL_TYPE = "accept.seal-type"
    ACCEPT_SEAL_EXPECTED = "accept.seal-expected"
    ACCEPT_CERTIFICATION_HOLDS = "accept.certification-holds"
    ACCEPT_LAST_SEAL_COVERS_FILE = "accept.last-seal-covers-file"
    ACCEPT_ONLY_VALIDATION_DATA_AFTER = "accept.only-validation-data-after"
    ACCEPT_NO_FORM_FIELDS = "accept.no-form-fields"
    LONGTERM_STAMPS_AFTER_SEALS = "longterm.stamps-after-seals"
    LONGTERM_STAMP_VALID = "longterm.stamp-valid"
    LONGTERM_STAMP_CURRENT = "longterm.stamp-current"
    LONGTERM_LATER_STAMPS = "longterm.later-stamps"
    AUDIT_REVISIONS = "audit.revisions"
    REGISTRY_OFFLINE = "registry.offline"
    REGISTRY_REVOCATION_UNCHECKED = "registry.revocation-unchecked"
    REGISTRY_SEALED_REVISION = "registry.sealed-revision"
    REGISTRY_ISSUED = "registry.issued"
    REGISTRY_COPY_NOT_VOID = "registry.copy-not-void"
    REGISTRY_NOT_REVOKED = "registry.not-revoked"
    REGISTRY_NOT_SUPERSEDED = "registry.not-superseded"
    REGISTRY_NOT_SUSPENDED = "registry.not-suspended"
    REGISTRY_IN_FORCE = "registry.in-force"
    REGISTRY_SEAL_AUTHORISED = "registry.seal-authorised"
    ONLINE_SEAL_CHECKED = "online.seal-checked"
    ONLINE_SEAL_NOT_REVOKED = "online.seal-not-revoked"
    ONLINE_SEAL_STATUS_KNOWN = "online.seal-status-known"
    RECEIPT_STATEMENT = "receipt.statement"
    HOLDER_COPY_NOTE = "annotation.copy"
    HOLDER_COPY_ORIGINAL = "annotation.original"
    HOLDER_COPY_IN_FORCE = "annotation.in-force"


__all__ = ["RuleId"]
