"""`titlecert`: the command line. Each command lives in a module of this package, imported only
when it runs (`lazy.py`); every error reaches the user through one boundary (`boundary.py`)."""

import logging
from typing import Any

import click

from titlecert.cli.boundary import user_errors
from titlecert.cli.lazy import LazyGroup
from titlecert.settings import from_env

COMMANDS = {
    "init": "titlecert.cli.instance:init",
    "trust": "titlecert.cli.instance:trust",
    "check": "titlecert.cli.check:check",
    "templates": "titlecert.cli.check:templates",
    "template-xlsx": "titlecert.cli.samples:template_xlsx",
    "sample": "titlecert.cli.samples:sample",
    "issue": "titlecert.cli.issue:issue",
    "reissue": "titlecert.cli.issue:reissue",
    "revoke": "titlecert.cli.revoke:revoke",
    "suspend": "titlecert.cli.suspend:suspend",
    "reinstate": "titlecert.cli.suspend:reinstate",
    "verify": "titlecert.cli.verify:verify",
    "offline-qr": "titlecert.cli.offline:offline_qr",
    "verify-qr": "titlecert.cli.offline:verify_qr",
    "offline-page": "titlecert.cli.offline:offline_page",
    "archive": "titlecert.cli.archive:archive",
    "serve": "titlecert.cli.serve:serve",
    "demo": "titlecert.cli.serve:demo",
    "pki": "titlecert.cli.pki:pki",
    "jobs": "titlecert.cli.jobs:jobs",
    "worker": "titlecert.cli.jobs:worker",
    "calendar": "titlecert.cli.calendar:calendar",
    "clerk": "titlecert.cli.clerk:clerk",
    "admin": "titlecert.cli.admin:admin",
    "legacy": "titlecert.cli.legacy:legacy",
    "committee": "titlecert.cli.committee:committee",
}
"""Every command: its name and the module:attribute that defines it."""


class Root(LazyGroup):
    """The `titlecert` group: lazy commands inside the one error boundary."""

    def invoke(self, ctx: click.Context) -> Any:
        with user_errors(verbose=bool(ctx.params.get("verbose"))):
            return super().invoke(ctx)


@click.group(cls=Root, lazy_commands=COMMANDS)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr; show an error's traceback.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """titlecert: issue, seal and verify Chongqing professional-title documents."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    if not verbose:  # pyHanko logs every failed path with a traceback; the report says it plainly
        logging.getLogger("pyhanko").setLevel(logging.ERROR)
        logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
    ctx.obj = from_env()
