"""Errors of the registry; messages are safe to show."""


class RegistryError(Exception):
    """The registry could not do what was asked."""


class NotFound(RegistryError):
    """No such certificate."""


class Conflict(RegistryError):
    """The change contradicts what is recorded (e.g. a duplicate number or fingerprint)."""


class Unavailable(RegistryError):
    """The registry cannot be reached or used just now (the database is down or unreachable, a lock
    was not granted in time): nothing was changed, and the same request may succeed later."""
