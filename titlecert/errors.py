"""Errors of the application layer; messages are safe to show."""


class ApplicationError(Exception):
    """The application could not do what was asked."""


class ReissueError(ApplicationError):
    """A re-issue was asked for that cannot replace the certificate named (e.g. the corrected
    session does not hold exactly one passed award)."""
