"""Back up the database to one file and restore it from one, on either engine."""

import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL

from hcimv_lc.extensions import db

logger = logging.getLogger(__name__)

SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The row that pg_restore writes after the COPY line of the alembic_version table.
COPY_REVISION = re.compile(r"^COPY \S*alembic_version\b.*\n(\w+)$", re.MULTILINE)
# A table in pg_restore --list: "215; 1259 16390 TABLE public log_entry postgres".
ARCHIVED_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", re.MULTILINE)
# How long to wait for the app's writers to let go of the database, in seconds.
BUSY_TIMEOUT = 30


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message for the operator."""


@dataclass
class Backup:
    """A backup file that was written and checked."""

    path: Path
    size: int
    seconds: float


@dataclass
class Restore:
    """A restore that went through, and how its migration compares with the code's."""

    path: Path
    revision: str
    head: str

    @property
    def is_older(self) -> bool:
        """Say whether the code has migrations the restored database lacks."""
        return self.revision != self.head


def backup(target: Path, force: bool = False) -> Backup:
    """Write a consistent copy of the app's database to target and check it."""
    target = target.resolve()
    if target.exists() and not force:
        raise BackupError(
            f"{target} exists already. Choose another name, or pass --force to "
            "replace it."
        )
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")

    url = db.engine.url
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and live_sqlite_file(url) == target:
        raise BackupError(f"{target} is the live database itself.")

    started = time.perf_counter()
    with partial_file(target) as partial:
        if sqlite:
            backup_sqlite(live_sqlite_file(url), partial)
        else:
            backup_postgresql(url, partial)
    result = Backup(target, target.stat().st_size, time.perf_counter() - started)

    logger.info(
        "Backup of %s database %s written to %s (%s bytes)",
        url.get_backend_name(),
        database_name(url),
        target,
        result.size,
    )
    return result


def restore(source: Path, force: bool = False) -> Restore:
    """Replace the app's data with a backup, all of it or, on any error, none."""
    source = source.resolve()
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file.")

    url = db.engine.url
    engine = url.get_backend_name()
    kind = backup_kind(source)
    if kind is None:
        raise BackupError(
            f"{source} is not a backup: it is neither a SQLite database nor a "
            "pg_dump archive."
        )
    if kind != engine:
        raise BackupError(
            f"{source} is a backup of a {ENGINE_NAMES[kind]} database, but this app "
            f"runs on {ENGINE_NAMES[engine]}."
        )

    if engine == "sqlite":
        live = live_sqlite_file(url, must_exist=False)
        if live == source:
            raise BackupError(f"{source} is the live database itself.")
        revision = sqlite_revision(source)
    else:
        revision = postgresql_revision(source)
    head = migration_head(source, revision)

    if not force and not database_is_empty():
        raise BackupError(
            "The database holds data already. Pass --force to replace it with the "
            "backup."
        )

    # Our own idle connections would hold locks or stale pages; drop them.
    db.session.remove()
    db.engine.dispose()
    if engine == "sqlite":
        restore_sqlite(source, live)
    else:
        restore_postgresql(url, source)
    db.engine.dispose()

    logger.info(
        "%s database %s restored from %s (migration %s)",
        ENGINE_NAMES[engine],
        database_name(url),
        source,
        revision,
    )
    return Restore(source, revision, head)


def backup_kind(path: Path) -> str | None:
    """Return the engine a backup file belongs to, judged by its first bytes."""
    with path.open("rb") as file:
        start = file.read(len(SQLITE_HEADER))
    if start.startswith(SQLITE_HEADER):
        return "sqlite"
    if start.startswith(PG_DUMP_HEADER):
        return "postgresql"
    return None


def database_name(url: URL) -> str:
    """Return the database's name for the log: never the URL, which holds a password."""
    if url.get_backend_name() == "sqlite":
        return Path(url.database or "").name
    return url.database or ""


def database_is_empty() -> bool:
    """Say whether no table of the app holds a row (migration bookkeeping aside)."""
    with db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for table in db.metadata.sorted_tables:
            if table.name in present and connection.scalar(
                select(text("1")).select_from(table).limit(1)
            ):
                return False

    return True


def migration_head(source: Path, revision: str) -> str:
    """Return the code's head migration, refusing a backup made by newer code."""
    migrations = Config()
    migrations.set_main_option(
        "script_location", current_app.extensions["migrate"].directory
    )
    script = ScriptDirectory.from_config(migrations)
    head = script.get_current_head()
    try:
        known = script.get_revision(revision)
    except CommandError:
        known = None
    if known is None:
        raise BackupError(
            f"{source} was made by newer code: its migration {revision} is unknown "
            f"here (this code is at {head}). Restore it with that release."
        )

    return head


@contextmanager
def partial_file(target: Path) -> Iterator[Path]:
    """Yield a temporary file beside target that becomes target only on success."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def live_sqlite_file(url: URL, must_exist: bool = True) -> Path:
    """Return the file of the app's SQLite database; a restore may create it."""
    if not url.database or url.database == ":memory:":
        raise BackupError("The SQLite database is in memory; there is no file.")

    path = Path(url.database).resolve()
    if must_exist and not path.is_file():
        raise BackupError(f"The database file {path} does not exist.")
    if not path.parent.is_dir():
        raise BackupError(f"The folder {path.parent} does not exist.")

    return path


def backup_sqlite(live: Path, target: Path) -> None:
    """Copy a SQLite database with the online backup API and check the copy."""
    try:
        with (
            closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT)) as source,
            closing(sqlite3.connect(target)) as copy,
        ):
            # One step reads one snapshot; in WAL mode the app keeps writing meanwhile,
            # where a step-by-step copy would start over after every write.
            source.backup(copy)
            # A copy left in WAL mode would need its -wal file; make it one file.
            copy.execute("PRAGMA journal_mode=DELETE")
            check_integrity(copy, target)
    except sqlite3.Error as error:
        raise BackupError(f"The backup failed: {error}.") from error


def check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    """Refuse a SQLite database that PRAGMA integrity_check finds fault with."""
    answer = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if answer != ["ok"]:
        raise BackupError(f"{path} is damaged: {answer[0]}.")


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open a SQLite file for reading only, so that checking it cannot change it."""
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def sqlite_revision(path: Path) -> str:
    """Check a SQLite backup and return the migration it was made at."""
    try:
        with closing(open_read_only(path)) as backup_db:
            check_integrity(backup_db, path)
            row = backup_db.execute(
                "SELECT name FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()
            if row is None:
                raise BackupError(
                    f"{path} is not a backup of this app: it has no alembic_version "
                    "table."
                )
            revision = backup_db.execute(
                "SELECT version_num FROM alembic_version"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"{path} is not a readable SQLite database: {error}."
        ) from error

    if revision is None:
        raise BackupError(f"{path} is not a backup of this app: it has no migration.")

    return revision[0]


def restore_sqlite(source: Path, live: Path) -> None:
    """Copy a checked backup over the live database in one write transaction."""
    try:
        with (
            closing(open_read_only(source)) as backup_db,
            closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT)) as live_db,
        ):
            sizes = [
                connection.execute("PRAGMA page_size").fetchone()[0]
                for connection in (backup_db, live_db)
            ]
            if sizes[0] != sizes[1]:
                raise BackupError(
                    f"{source} has pages of {sizes[0]} bytes and the live database "
                    f"of {sizes[1]}; a database in WAL mode cannot take that backup."
                )

            # Copying into the open database, not replacing its file, keeps WAL mode
            # and lets every open connection see the restored data.
            backup_db.backup(live_db)
    except sqlite3.Error as error:
        raise BackupError(f"The restore failed, nothing changed: {error}.") from error


def libpq(url: URL) -> tuple[str, dict[str, str]]:
    """Return a libpq URI without the password, and an environment that holds it."""
    # URL.set() keeps a password given as None, so build the URI without one.
    plain = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)

    return plain.render_as_string(hide_password=False), environment


def client_tool(name: str) -> str:
    """Return the path of a PostgreSQL client program, or say how to get it."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on the PATH. Install the PostgreSQL client tools "
            "of the server's version (Debian: postgresql-client)."
        )

    return path


def run_tool(arguments: list[str], environment: dict[str, str] | None = None) -> str:
    """Run a PostgreSQL client program and return its output, or raise its complaint."""
    finished = subprocess.run(
        arguments, env=environment, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        complaint = finished.stderr.strip().splitlines() or ["no message"]
        raise BackupError(f"{Path(arguments[0]).name} failed: {complaint[-1]}")

    return finished.stdout


def backup_postgresql(url: URL, target: Path) -> None:
    """Dump a PostgreSQL database with pg_dump in its custom format and check it."""
    pg_dump = client_tool("pg_dump")
    pg_restore = client_tool("pg_restore")
    uri, environment = libpq(url)

    run_tool([pg_dump, "--format=custom", f"--file={target}", uri], environment)
    # Reading the archive's table of contents proves pg_restore can open it.
    run_tool([pg_restore, "--list", str(target)])


def postgresql_revision(path: Path) -> str:
    """Check a pg_dump archive and return the migration it was made at."""
    pg_restore = client_tool("pg_restore")
    try:
        script = run_tool(
            [
                pg_restore,
                "--data-only",
                "--table=alembic_version",
                "--file=-",
                str(path),
            ]
        )
    except BackupError as error:
        raise BackupError(
            f"{path} is not a readable pg_dump archive: {error}"
        ) from None

    match = COPY_REVISION.search(script)
    if match:
        return match.group(1)

    raise BackupError(f"{path} is not a backup of this app: it has no migration.")


def archived_tables(source: Path) -> set[str]:
    """Return the names of the tables a pg_dump archive holds, from its contents."""
    listing = run_tool([client_tool("pg_restore"), "--list", str(source)])
    return set(ARCHIVED_TABLE.findall(listing))


def restore_postgresql(url: URL, source: Path) -> None:
    """Restore a pg_dump archive over the app's database in one transaction.

    pg_restore --clean drops only what the archive holds: a table that newer code
    added would stay, rows and all, and stop `flask db upgrade` from creating it
    again. psql drops those tables, runs the archive's script and analyses the
    tables as one transaction, so a restore that fails anywhere changes nothing.
    The script is written out in full first: a damaged archive fails before psql
    starts.
    """
    pg_restore, psql = client_tool("pg_restore"), client_tool("psql")
    uri, environment = libpq(url)
    quote = db.engine.dialect.identifier_preparer.quote
    newer = sorted(set(inspect(db.engine).get_table_names()) - archived_tables(source))
    db.engine.dispose()

    with tempfile.TemporaryDirectory(prefix="hcimv-restore-") as folder:
        script = Path(folder) / "restore.sql"
        try:
            run_tool(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    f"--file={script}",
                    str(source),
                ],
                environment,
            )
            run_tool(
                [
                    psql,
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--dbname={uri}",
                    *(f"--command=DROP TABLE {quote(name)} CASCADE" for name in newer),
                    f"--file={script}",
                    # Restored tables have no planner statistics until analysed.
                    "--command=ANALYZE",
                ],
                environment,
            )
        except BackupError as error:
            raise BackupError(f"The restore failed, nothing changed: {error}") from None

    if newer:
        logger.info("Tables newer than the backup dropped: %s", ", ".join(newer))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH when it exists.")
@with_appcontext
def backup_command(path: Path, force: bool) -> None:
    """Write a consistent backup of the database to PATH while the app runs."""
    try:
        result = backup(path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None

    click.echo(
        f"Backup written to {result.path} ({result.size:,} bytes, checked) "
        f"in {result.seconds:.1f} s."
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Replace the database's content with the backup at PATH."""
    try:
        result = restore(path, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None

    click.echo(f"Restored {result.path} (migration {result.revision}).")
    if result.is_older:
        click.echo(
            f"The backup is older than this code ({result.head}): run "
            "`flask --app wsgi db upgrade` now."
        )
