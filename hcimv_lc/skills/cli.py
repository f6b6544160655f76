"""Flask commands for the skill catalogue."""

from pathlib import Path

import click
from flask.cli import AppGroup

from hcimv_lc.extensions import db
from hcimv_lc.skills.esco import import_esco

skills = AppGroup("skills", help="Maintain the skill catalogue.")


@skills.command("import-esco")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--language",
    required=True,
    metavar="nl|en",
    help="The language of the file, as in skills_nl.csv or skills_en.csv.",
)
@click.option(
    "--version",
    required=True,
    help="The ESCO version the file belongs to, such as 1.2.0.",
)
@click.option(
    "--add-new",
    is_flag=True,
    help="Add the skills that match no skill of the catalogue.",
)
def import_esco_command(path: Path, language: str, version: str, add_new: bool) -> None:
    """Link the catalogue to ESCO from one language's skills CSV."""
    # The language and version are checked by import_esco rather than by click,
    # so that every refusal ends the same way: a message and exit code 1.
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            report = import_esco(
                file, language=language, version=version, add_new=add_new
            )
    except UnicodeDecodeError as error:
        db.session.rollback()
        raise click.ClickException(f"{path} is not UTF-8 text.") from error
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error

    db.session.commit()
    for problem in report.errors:
        click.echo(problem, err=True)
    unlisted = report.error_count - len(report.errors)
    if unlisted:
        click.echo(f"... and {unlisted} more problems.", err=True)
    click.echo(
        f"{report.updated} updated, {report.filled} filled, {report.added} added, "
        f"{report.skipped} skipped."
    )
