"""Errors of the signing package; messages are safe to show and say what to do."""


class SigningError(Exception):
    """A document could not be sealed."""


class KeyLoadError(SigningError):
    """A signing key or certificate could not be loaded."""


class TrustConfigError(SigningError):
    """The trust settings file is missing or inconsistent."""
