"""The CLI's one error boundary: every known error becomes a message and an exit status.

Known errors are those whose messages are written for the user (the packages' own error types);
anything else is a bug and keeps its traceback. `--verbose` shows the traceback of known errors too.
Exit status 2: the input or the configuration must change (as click's usage errors); 1: it failed."""

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import click

from docgen.errors import DocgenError, InputError
from registry.errors import RegistryError, Unavailable
from signing.errors import SigningError
from titlecert.errors import ApplicationError, ConfigError
from verify.errors import VerifyError

EXIT_FAILED = 1
EXIT_CHANGE_INPUT = 2

KNOWN_ERRORS = (DocgenError, SigningError, RegistryError, VerifyError, ApplicationError)


@contextmanager
def user_errors(*, verbose: bool) -> Iterator[None]:
    """Turn the known errors raised inside into a message on stderr and the exit status."""
    try:
        yield
    except InputError as e:
        _traceback(verbose)
        click.echo(f"error: {e.what} has {len(e.problems)} problem(s); {e.consequence}:", err=True)
        for problem in e.problems:
            click.echo(f"  {problem}", err=True)
        for warning in e.warnings:
            click.echo(f"  warning: {warning}", err=True)
        sys.exit(EXIT_CHANGE_INPUT)
    except KNOWN_ERRORS as e:
        _traceback(verbose)
        click.echo(f"error: {e}", err=True)
        if isinstance(e, Unavailable):
            click.echo("  is the database server running, and is TITLECERT_DATABASE_URL right?", err=True)
        sys.exit(EXIT_CHANGE_INPUT if isinstance(e, ConfigError) else EXIT_FAILED)


def _traceback(verbose: bool) -> None:
    if verbose:
        traceback.print_exc(file=sys.stderr)
