"""Errors of the signing package; messages are safe to show and say what to do."""


class SigningError(Exception):
    """A document could not be sealed."""


class KeyLoadError(SigningError):
    """A signing key or certificate could not be loaded."""


class TrustConfigError(SigningError):
    """The trust settings file is missing or inconsistent."""


class ServiceUnavailable(SigningError):
    """A time-stamping authority or OCSP responder did not answer (or refused); `url` names it.
    The message is the same wherever it happens: before a job (titlecert.preflight) or mid-run."""

    TSA = "time-stamping authority"
    OCSP = "OCSP responder"

    def __init__(self, service: str, url: str, *, refused: bool = False, then: str = "") -> None:
        self.service, self.url = service, url
        what = "refused the request" if refused else "does not answer"
        super().__init__(f"the {service} at {url} {what}" + (f"; {then}" if then else ""))
