"""Errors of the application layer; messages are safe to show."""


class ApplicationError(Exception):
    """The application could not do what was asked."""


class ReissueError(ApplicationError):
    """A re-issue was asked for that cannot replace the certificate named (e.g. the corrected
    session does not hold exactly one passed award)."""


class StoreError(ApplicationError):
    """The document store could not keep or give back an archive copy: the message names the store,
    the key and what to check (a bad key, a missing bucket, refused credentials, an unreachable
    endpoint)."""


class StoreIntegrityError(StoreError):
    """The document store gave back bytes other than those stored under the key (changed or damaged
    behind the store's back, or in transit)."""


class InvalidValue(ApplicationError, ValueError):
    """A value given to a command or a page does not have the form it must have (a password too
    short, a unit code that is not a credit code): the message says what is expected."""


class ConfigError(ApplicationError, ValueError):
    """The instance's configuration (a TITLECERT_* variable or a command's option) is not usable:
    the message names the variable and what it expects. Also a ValueError, since it is one: a
    value of the wrong form."""
