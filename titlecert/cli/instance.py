"""`titlecert init` and `titlecert trust`: the instance and the trust anchors it verifies with."""

from pathlib import Path

import click

from titlecert.settings import Settings, with_token_options


def _role_labels(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    labels = dict(v.partition("=")[::2] for v in values)
    if any(not role or not label for role, label in labels.items()) or len(labels) != len(values):
        raise click.BadParameter("give ROLE=LABEL once per role, e.g. committee=committee", param=param)
    return labels


@click.command()
@click.option(
    "--pkcs11-module",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="PKCS#11 module of the token holding the keys (default: TITLECERT_PKCS11_MODULE).",
)
@click.option(
    "--pkcs11-token",
    default=None,
    metavar="LABEL",
    help="Label of that token (default: TITLECERT_PKCS11_TOKEN). Its user PIN comes from "
    "TITLECERT_PKCS11_PIN. Without --key-label, DEMO keys are generated on it.",
)
@click.option(
    "--key-label",
    multiple=True,
    metavar="ROLE=LABEL",
    callback=_role_labels,
    help="An operator's key already on the token, for each role (e.g. committee=seal-1).",
)
@click.option(
    "--cert-label",
    multiple=True,
    metavar="ROLE=LABEL",
    callback=_role_labels,
    help="Its certificate's label, where it differs from the key's.",
)
@click.pass_obj
def init(
    settings: Settings,
    pkcs11_module: Path | None,
    pkcs11_token: str | None,
    key_label: dict[str, str],
    cert_label: dict[str, str],
) -> None:
    """Create the instance: folder, registry schema, keys (a DEMO PKI if none are configured); check
    the document store (TITLECERT_STORE_URL)."""
    from titlecert.instance import init_instance

    settings = with_token_options(
        settings, module=pkcs11_module, token_label=pkcs11_token, key_labels=key_label, cert_labels=cert_label
    )
    report = init_instance(settings)
    click.echo(f"instance {report.home}\nregistry {report.database}\nkeys     {report.keys}")
    click.echo(f"store    {report.store}")


@click.command()
@click.option("--pem", is_flag=True, required=True, help="Print the anchors as PEM.")
@click.pass_obj
def trust(settings: Settings, pem: bool) -> None:
    """Print the trust anchors verification uses."""
    from titlecert.home import load_trust

    click.echo(load_trust(settings).anchors_pem(), nl=False)
