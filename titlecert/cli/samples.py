"""`titlecert template-xlsx` and `titlecert sample`: a blank workbook and synthetic sessions."""

from pathlib import Path

import click


@click.command("template-xlsx")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template_xlsx(out: Path) -> None:
    """Write a blank session workbook: headers, drop-down lists and a notes sheet."""
    from docgen.xlsx import write_workbook

    write_workbook(out)
    click.echo(f"wrote {out}")


@click.command()
@click.option("--applicants", type=click.IntRange(1, 100000), default=20, show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="FILE.json or FILE.xlsx; photos go to photos/ beside it.",
)
@click.option("--seed", type=int, default=2025, show_default=True)
def sample(applicants: int, out: Path, seed: int) -> None:
    """Write a realistic synthetic session for demos and benchmarks."""
    from docgen.sample import write_sample

    if out.suffix.lower() not in (".json", ".xlsx"):
        raise click.BadParameter("the file must end in .json or .xlsx", param_hint="--out")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_sample(out, applicants, seed=seed)
    click.echo(f"wrote {out} ({applicants} applicants)")
