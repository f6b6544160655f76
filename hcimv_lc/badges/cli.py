"""Flask commands that manage the key the platform signs Open Badges with."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from hcimv_lc.badges.keys import create_key

badges = AppGroup("badges", help="Manage the Open Badges signing key.")


@badges.command("create-key")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key; its public half is kept so old badges verify.",
)
def create_key_command(force: bool) -> None:
    """Create the Ed25519 key that signs badges, at BADGE_KEY_PATH."""
    path = Path(current_app.config["BADGE_KEY_PATH"])
    try:
        kid = create_key(path, force=force)
    except FileExistsError:
        raise click.ClickException(
            f"A signing key exists already at {path}. Pass --force to replace it; "
            "its public half is kept, so badges signed with it still verify."
        ) from None

    click.echo(f"Created badge signing key {kid} at {path}.")
