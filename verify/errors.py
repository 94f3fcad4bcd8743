"""Errors of the verify package; messages are safe to show."""


class VerifyError(Exception):
    """Input the service cannot judge at all (not a failed verification, which is a report)."""


class MatchUnavailable(VerifyError):
    """The match check cannot answer for this certificate (e.g. issued before ID hashes were kept)."""


class ReceiptUnavailable(VerifyError):
    """No verification receipt can be made now (its conversion, key or time stamp failed)."""
