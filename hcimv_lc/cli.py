"""Flask commands: demo data, accounts, the ESCO import, the badge key, backups."""

from datetime import date

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from hcimv_lc import seed
from hcimv_lc.accounts import service as accounts
from hcimv_lc.backup import backup_command, restore_command
from hcimv_lc.badges.cli import badges
from hcimv_lc.extensions import db
from hcimv_lc.skills.cli import skills


def register(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(users)
    app.cli.add_command(send_prompts)
    app.cli.add_command(skills)
    app.cli.add_command(badges)
    app.cli.add_command(rebuild_rollup)
    app.cli.add_command(bench_data_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("bench-data")
@click.option("--scale", type=click.FloatRange(0.001, 1000), default=1.0)
@click.option("--seed", "seed_value", type=int, default=1, help="Same seed, same data.")
@with_appcontext
def bench_data_command(scale: float, seed_value: int) -> None:
    """Fill an empty database with synthetic data at a multiple of the reference."""
    from hcimv_lc import bench_data

    try:
        counts = bench_data.load(scale, seed_value)
    except bench_data.NotEmpty as error:
        raise click.ClickException(f"{error} Use an empty database.") from None
    db.session.commit()
    click.echo(f"Loaded at scale {scale}: {counts}")


@click.command("rebuild-rollup")
@with_appcontext
def rebuild_rollup() -> None:
    """Recompute the dashboards' weekly roll-up, after a load that bypassed the app."""
    from hcimv_lc.dashboards import rollup

    rows = rollup.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"Roll-up rebuilt: {rows} rows.")


@click.command("send-prompts")
@with_appcontext
def send_prompts() -> None:
    """Mail this week's reflection question to participants (run weekly from cron)."""
    from hcimv_lc.logbook.service import send_weekly_prompts

    # The mails hold links, so build them as if serving a request at BASE_URL.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        sent = send_weekly_prompts(date.today())
    click.echo(f"Mailed {sent} weekly questions.")


@click.command("seed")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Only load when the database is empty.")
@click.option(
    "--demo-accounts/--no-demo-accounts",
    default=None,
    help="Create the demo accounts (default: yes, except in production).",
)
def seed_command(if_empty: bool, demo_accounts: bool | None) -> None:
    """Load the demo data from seed/ (safe to run again)."""
    if if_empty and not seed.database_is_empty():
        click.echo("The database holds data already; nothing loaded.")
        return

    if demo_accounts is None:
        demo_accounts = current_app.config["SEED_DEMO_ACCOUNTS"]
    counts = seed.load(demo_accounts=demo_accounts)
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


users = AppGroup("users", help="Create and disable accounts.")


@users.command("create")
@click.argument("email")
@click.option("--name", prompt=True, help="The person's full name.")
@click.option("--admin", is_flag=True, help="Make the account an administrator.")
@click.password_option(help="The password (asked when omitted).")
def create_user(email: str, name: str, admin: bool, password: str) -> None:
    """Create an account."""
    if accounts.email_taken(email):
        raise click.ClickException(f"An account with {email} exists already.")
    problem = accounts.password_problem(password)
    if problem:
        raise click.ClickException(problem)

    user = accounts.create_user(email, name, password, is_admin=admin)
    db.session.commit()
    click.echo(f"Created account {user.id} for {user.email}.")


@users.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable an account; it is logged out at its next request."""
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with {email}.")

    accounts.disable_user(user)
    db.session.commit()
    click.echo(f"Disabled account {user.id}.")
